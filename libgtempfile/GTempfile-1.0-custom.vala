/* GTempfile-1.0-custom.vala — merged into gtempfile-1.vapi by vapigen
 *
 * Copyright 2026 The libgtempfile authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

namespace GTempfile {
	public class TmpFile : GLib.FileIOStream {
		[CCode (cname = "g_tmp_file_new_async", finish_name = "g_tmp_file_new_finish")]
		[Version (since = "1.0")]
		public static async GTempfile.TmpFile new_async (string? dir, string? prefix, string? suffix, int io_priority = GLib.Priority.DEFAULT, GLib.Cancellable? cancellable = null) throws GLib.Error;
	}

	public sealed class NamedTmpFile : GTempfile.TmpFile {
		[CCode (cname = "g_named_tmp_file_new_async", finish_name = "g_named_tmp_file_new_finish")]
		[Version (since = "1.0")]
		public static async GTempfile.NamedTmpFile new_async (string? dir, string? prefix, string? suffix, int io_priority = GLib.Priority.DEFAULT, GLib.Cancellable? cancellable = null) throws GLib.Error;
	}

	public sealed class SpooledTmpFile : GTempfile.TmpFile {
		[CCode (cname = "g_spooled_tmp_file_new_async", finish_name = "g_spooled_tmp_file_new_finish")]
		[Version (since = "1.0")]
		public static async GTempfile.SpooledTmpFile new_async (size_t max_size, string? dir, string? prefix, string? suffix, int io_priority = GLib.Priority.DEFAULT, GLib.Cancellable? cancellable = null) throws GLib.Error;
	}

	public sealed class TmpDir : GLib.Object {
		[CCode (cname = "g_tmp_dir_new_async", finish_name = "g_tmp_dir_new_finish")]
		[Version (since = "1.0")]
		public static async GTempfile.TmpDir new_async (string? dir, string? prefix, string? suffix, int io_priority = GLib.Priority.DEFAULT, GLib.Cancellable? cancellable = null) throws GLib.Error;
	}
}
