/* standalone.vala — built by valac alone against the uninstalled VAPI
 *
 *   valac --fatal-warnings --vapidir build/libgtempfile --pkg gtempfile-1 standalone.vala
 *
 * with no --pkg gio-2.0: gtempfile-1.deps beside the VAPI brings it in. The
 * GIO types below would not resolve without it, and a warning (a property
 * and its getter of different types, say) fails the build.
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

async void run (MainLoop loop) {
  try {
    GTempfile.NamedTmpFile named = yield GTempfile.NamedTmpFile.new_async (null, "standalone_", null);
    FileIOStream stream = named;
    size_t written;
    stream.output_stream.write_all ("vala".data, out written);
    named.close ();

    var spooled = new GTempfile.SpooledTmpFile (4096, null, null, null);
    uint64 property = spooled.max_size;
    uint64 getter = spooled.get_max_size ();
    if (property != getter || getter != 4096 || written != 4) {
      error ("max-size %" + uint64.FORMAT + " != %" + uint64.FORMAT, property, getter);
    }
    print ("ok\n");
  } catch (Error e) {
    error ("%s", e.message);
  }
  loop.quit ();
}

int main () {
  var loop = new MainLoop ();
  run.begin (loop);
  loop.run ();
  return 0;
}
