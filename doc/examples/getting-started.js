// getting-started.js — the three tasks of the "Getting started" guide
// (doc/getting-started.md, whose JavaScript blocks are copied from this
// file; doc/check-snippets.py checks that they stay the same), run and
// checked.
//
// Usage: gjs -m getting-started.js    prints what it did, exits 1 on a surprise
//
// Copyright 2026 The libgtempfile authors
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GTempfile from 'gi://GTempfile?version=1.0';
import System from 'system';

function scratchFile() {
    // Throws a GLib.Error if the file cannot be created.
    const scratch = GTempfile.TmpFile.new(null, 'scratch-', null);
    try {
        scratch.get_output_stream().write_all(
            new TextEncoder().encode('intermediate data\n'), null);
        scratch.seek(0, GLib.SeekType.SET, null);
        const bytes = scratch.get_input_stream().read_bytes(64, null);
        return new TextDecoder().decode(bytes.toArray());
    } finally {
        // Do not wait for the garbage collector to free the file.
        scratch.close(null);
    }
}

function saveDocument(path, text) {
    const tmp = GTempfile.TmpFile.new(GLib.path_get_dirname(path), null, null);
    try {
        tmp.get_output_stream().write_all(new TextEncoder().encode(text), null);
        tmp.persist(path, GTempfile.TmpPersistFlags.SYNC |
            GTempfile.TmpPersistFlags.DOCUMENT_MODE, null);
    } finally {
        tmp.close(null);
    }
}

function countLinesInScratchDir() {
    const scratch = GTempfile.TmpDir.new(null, 'build-', null);
    try {
        scratch.get_file().get_child('input.txt').replace_contents(
            new TextEncoder().encode('one\ntwo\n'), null, false,
            Gio.FileCreateFlags.NONE, null);
        const launcher = new Gio.SubprocessLauncher({
            flags: Gio.SubprocessFlags.STDOUT_PIPE,
        });
        launcher.set_cwd(scratch.get_path());
        const tool = launcher.spawnv(['wc', '-l', 'input.txt']);
        const [, stdout] = tool.communicate_utf8(null, null);
        tool.wait_check(null);
        return stdout.trim().split(' ')[0];
    } finally {
        scratch.cleanup(null);
    }
}

function check(what, got, expected) {
    print(`${what}: ${JSON.stringify(got)}`);
    if (got !== expected) {
        printerr(`${what}: expected ${JSON.stringify(expected)}`);
        System.exit(1);
    }
}

function modeOf(path) {
    const info = Gio.File.new_for_path(path).query_info('unix::mode',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    return (info.get_attribute_uint32('unix::mode') & 0o7777).toString(8);
}

function listing(dir) {
    const names = [];
    const children = Gio.File.new_for_path(dir).enumerate_children('standard::name',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    for (const info of children)
        names.push(info.get_name());
    return names.sort().join(' ');
}

check('scratch file', scratchFile(), 'intermediate data\n');

const documents = GTempfile.TmpDir.new(null, 'documents-', null);
try {
    const path = GLib.build_filenamev([documents.get_path(), 'notes.txt']);

    saveDocument(path, 'first\n');
    print(`new document's mode: ${modeOf(path)}`);

    Gio.File.new_for_path(path).set_attribute_uint32('unix::mode', 0o640,
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    saveDocument(path, 'second\n');
    check("replaced document's mode", modeOf(path), '640');
    const [, contents] = GLib.file_get_contents(path);
    check('document', new TextDecoder().decode(contents), 'second\n');
    check('directory', listing(documents.get_path()), 'notes.txt');
} finally {
    documents.cleanup(null);
}

check('lines counted in a scratch directory', countLinesInScratchDir(), '2');
