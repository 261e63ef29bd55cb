// async-report.js — build a report and save it, never blocking the main loop
//
// Copyright 2026 The libgtempfile authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Every step is an `await` on a promisified call: the report is buffered in
// a SpooledTmpFile (memory while it is small, disk once it grows), handed to
// an external tool as a NamedTmpFile in a private TmpDir, then saved
// atomically with a TmpFile persisted over OUTPUT. A reader of OUTPUT sees
// the old report or the new one, never half of one; the scratch directory
// is gone afterwards, also when a step fails.
//
// Usage: gjs -m async-report.js OUTPUT [LINES]

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GTempfile from 'gi://GTempfile?version=1.0';
import System from 'system';

// Promises for the _async/_finish pairs. Each class has its own new_async:
// promisify the subclasses before TmpFile, as _promisify() leaves alone a
// class that already finds a wrapped function (through its parent).
Gio._promisify(GTempfile.NamedTmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.SpooledTmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpFile.prototype, 'persist_async', 'persist_finish');
Gio._promisify(GTempfile.TmpDir, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpDir.prototype, 'cleanup_async', 'cleanup_finish');
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');
Gio._promisify(Gio.IOStream.prototype, 'close_async', 'close_finish');
Gio._promisify(Gio.Subprocess.prototype, 'communicate_utf8_async', 'communicate_utf8_finish');

const PRIORITY = GLib.PRIORITY_DEFAULT;
const encoder = new TextEncoder();

async function writeText(stream, text) {
    const bytes = new GLib.Bytes(encoder.encode(text));
    const written = await stream.get_output_stream().write_bytes_async(bytes, PRIORITY, null);
    if (written !== bytes.get_size())
        throw new Error(`short write: ${written} of ${bytes.get_size()} bytes`);
}

// Copies all of @from, from its start, to the position of @to.
async function copy(from, to) {
    from.seek(0, GLib.SeekType.SET, null);
    for (;;) {
        const bytes = await from.get_input_stream().read_bytes_async(64 * 1024, PRIORITY, null);
        if (bytes.get_size() === 0)
            return;
        await to.get_output_stream().write_bytes_async(bytes, PRIORITY, null);
    }
}

async function buildReport(lines) {
    // In memory up to 64 KiB, then an anonymous file on disk.
    const spool = await GTempfile.SpooledTmpFile.new_async(64 * 1024, null, 'report_', null,
        PRIORITY, null);
    for (let i = 1; i <= lines; i++)
        await writeText(spool, `line ${i}: ${'x'.repeat(i % 50)}\n`);
    print(`report: ${spool.tell()} bytes, ${spool.rolled_over ? 'spooled to disk' : 'in memory'}`);
    return spool;
}

// An external tool needs a path: a named file in a directory only we can
// enter, removed with everything in it at the end.
async function countLines(report) {
    const scratch = await GTempfile.TmpDir.new_async(null, 'report-check_', null, PRIORITY, null);
    try {
        const page = await GTempfile.NamedTmpFile.new_async(scratch.path, 'page-', '.txt',
            PRIORITY, null);
        page.delete_on_close = false;  // closed, so the tool sees every byte
        await copy(report, page);
        await page.close_async(PRIORITY, null);

        const wc = Gio.Subprocess.new(['wc', '-l', page.get_path()],
            Gio.SubprocessFlags.STDOUT_PIPE);
        const [stdout] = await wc.communicate_utf8_async(null, null);
        return parseInt(stdout, 10);
    } finally {
        await scratch.cleanup_async(PRIORITY, null);
        print(`removed ${scratch.path}: ${!GLib.file_test(scratch.path, GLib.FileTest.EXISTS)}`);
    }
}

// The new file is written beside OUTPUT and linked into place at once.
async function save(report, output) {
    const dir = GLib.path_get_dirname(output);
    const file = await GTempfile.TmpFile.new_async(dir, null, null, PRIORITY, null);
    await copy(report, file);
    await file.persist_async(output, GTempfile.TmpPersistFlags.SYNC, PRIORITY, null);
    await file.close_async(PRIORITY, null);
}

async function main(output, lines) {
    const report = await buildReport(lines);
    const counted = await countLines(report);
    print(`wc counted ${counted} lines`);
    if (counted !== lines)
        throw new Error(`expected ${lines} lines`);
    await save(report, output);
    await report.close_async(PRIORITY, null);
    print(`saved ${output}`);
}

const [output, lines = '2000'] = ARGV;
if (!output) {
    printerr('usage: gjs -m async-report.js OUTPUT [LINES]');
    System.exit(2);
}

const loop = new GLib.MainLoop(null, false);
let status = 0;
// Started from the loop, so that even an error thrown before the first
// await finds it running.
GLib.idle_add(GLib.PRIORITY_DEFAULT, () => {
    main(GLib.canonicalize_filename(output, null), parseInt(lines, 10)).catch(e => {
        printerr(`async-report: ${e.message}`);
        status = 1;
    }).finally(() => loop.quit());
    return GLib.SOURCE_REMOVE;
});
loop.run();
System.exit(status);
