// scratch-build.js — a scratch directory for one step of a build
//
// Copyright 2026 The libgtempfile authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A build step stages its inputs in a private directory, runs a tool there
// and keeps only the result: here the inputs are a few text files, the tool
// is tar, and the result an archive written to OUTPUT. The scratch directory
// (mode 0700, unguessable name) goes away with everything in it afterwards,
// also when the tool fails.
//
// Usage: gjs -m scratch-build.js OUTPUT.tar.gz

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GTempfile from 'gi://GTempfile?version=1.0';
import System from 'system';

const inputs = {
    'README': 'Scratch build example\n',
    'src/main.txt': 'the main part\n',
    'src/extra.txt': 'an extra part\n',
};

function stageInputs(root) {
    for (const [name, text] of Object.entries(inputs)) {
        const path = GLib.build_filenamev([root, name]);
        GLib.mkdir_with_parents(GLib.path_get_dirname(path), 0o755);
        GLib.file_set_contents(path, text);
    }
}

function runTool(cwd, argv) {
    const launcher = new Gio.SubprocessLauncher({flags: Gio.SubprocessFlags.NONE});
    launcher.set_cwd(cwd);
    const proc = launcher.spawnv(argv);
    proc.wait_check(null);
}

function build(output) {
    const scratch = GTempfile.TmpDir.new(null, 'build_', null);
    try {
        print(`staging in ${scratch.path}`);
        stageInputs(scratch.path);
        const archive = GLib.build_filenamev([scratch.path, 'out.tar.gz']);
        runTool(scratch.path, ['tar', '-czf', archive, 'README', 'src']);

        // Only the result leaves the scratch directory.
        Gio.File.new_for_path(archive).copy(Gio.File.new_for_path(output),
            Gio.FileCopyFlags.OVERWRITE, null, null);
        print(`wrote ${output}`);
    } finally {
        const path = scratch.path;
        scratch.cleanup(null);
        print(`removed ${path}: ${!GLib.file_test(path, GLib.FileTest.EXISTS)}`);
    }
}

const [output] = ARGV;
if (!output) {
    printerr('usage: gjs -m scratch-build.js OUTPUT.tar.gz');
    System.exit(2);
}

try {
    build(output);
} catch (e) {
    printerr(`scratch-build: ${e.message}`);
    System.exit(1);
}
