/* spooled-response.vala — buffer a response of unknown size
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A client reads a response whose length it does not know in advance (no
 * Content-Length, a pipe, a subprocess). Most responses are small and should
 * stay in memory; the rare huge one must not exhaust it. A SpooledTmpFile
 * keeps the bytes in memory up to max_size and moves them to an anonymous
 * file on disk past that, behind the same stream. Once complete, the
 * response is read back from the start like any file.
 *
 * Here the "response" is the output of a command, e.g.
 *
 *   spooled-response 65536 seq 1 100000
 */

const size_t CHUNK = 8192;

GTempfile.SpooledTmpFile buffer_response (InputStream response, size_t max_size) throws Error {
  var spool = new GTempfile.SpooledTmpFile (max_size, null, "response_", null);
  spool.notify["rolled-over"].connect (() => {
    stderr.printf ("response passed %zu bytes: spooled to disk\n", max_size);
  });

  /* splice () would do, but the loop shows that writes are plain stream
   * writes: the rollover happens inside one of them. */
  var chunk = new uint8[CHUNK];
  ssize_t n;
  while ((n = response.read (chunk)) > 0) {
    size_t written;
    spool.output_stream.write_all (chunk[0:n], out written);
  }
  spool.seek (0, SeekType.SET);
  return spool;
}

int main (string[] args) {
  if (args.length < 3) {
    stderr.printf ("usage: %s MAX-SIZE COMMAND [ARG...]\n", args[0]);
    return 2;
  }

  try {
    var max_size = (size_t) uint64.parse (args[1]);
    var proc = new Subprocess.newv (args[2:args.length], SubprocessFlags.STDOUT_PIPE);
    var spool = buffer_response (proc.get_stdout_pipe (), max_size);
    proc.wait_check ();

    /* Read it back from the start, as a consumer would. */
    var size = spool.query_info (FileAttribute.STANDARD_SIZE).get_size ();
    var lines = 0;
    var input = new DataInputStream (spool.input_stream);
    size_t length;
    while (input.read_line (out length) != null) {
      lines++;
    }
    print ("%d lines, %" + int64.FORMAT + " bytes, %s\n", lines, size,
           spool.is_rolled_over () ? "on disk" : "in memory");
    spool.close ();
  } catch (Error e) {
    stderr.printf ("spooled-response: %s\n", e.message);
    return 1;
  }
  return 0;
}
