// test-gtempfile.js — libgtempfile from GJS, through the typelib of this tree
//
// Copyright 2026 The libgtempfile authors
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Run as `gjs -m test-gtempfile.js`; prints TAP and exits non-zero when a
// test fails.

import GLib from 'gi://GLib';
import Gio from 'gi://Gio';
import GTempfile from 'gi://GTempfile?version=1.0';
import System from 'system';

// The async methods as promises (Gio._promisify wraps our _async/_finish
// pairs like GIO's own; NamedTmpFile and SpooledTmpFile inherit persist).
// Each class has its own new_async; the subclasses are promisified first:
// _promisify() skips a class that already finds a wrapped one, and it would
// find TmpFile's through the subclass.
Gio._promisify(GTempfile.NamedTmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.SpooledTmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpFile, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpFile.prototype, 'persist_async', 'persist_finish');
Gio._promisify(GTempfile.TmpDir, 'new_async', 'new_finish');
Gio._promisify(GTempfile.TmpDir.prototype, 'cleanup_async', 'cleanup_finish');
// GIO's own, on our streams.
Gio._promisify(Gio.InputStream.prototype, 'read_bytes_async', 'read_bytes_finish');
Gio._promisify(Gio.OutputStream.prototype, 'write_bytes_async', 'write_bytes_finish');
Gio._promisify(Gio.IOStream.prototype, 'close_async', 'close_finish');
Gio._promisify(GTempfile.TmpDir.prototype, 'persist_async', 'persist_finish');
Gio._promisify(GTempfile, 'sweep_async', 'sweep_finish');

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// --- helpers ---------------------------------------------------------------

class AssertionError extends Error {}

function assert(condition, message) {
    if (!condition)
        throw new AssertionError(message ?? 'assertion failed');
}

function assertEqual(actual, expected, what = 'value') {
    if (actual !== expected)
        throw new AssertionError(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

function checkIOError(code, e) {
    if (!(e instanceof GLib.Error))
        throw e;
    assert(e.matches(Gio.IOErrorEnum, code),
        `expected Gio.IOErrorEnum ${code}, got ${e.domain}:${e.code} ${e.message}`);
    return e;
}

// Runs @func and checks that it throws a G_IO_ERROR with @code.
function assertIOError(code, func) {
    try {
        func();
    } catch (e) {
        return checkIOError(code, e);
    }
    throw new AssertionError(`expected Gio.IOErrorEnum ${code}, nothing thrown`);
}

// Awaits @promise and checks that it rejects with a G_IO_ERROR with @code.
async function assertRejectsIOError(code, promise) {
    try {
        await promise;
    } catch (e) {
        return checkIOError(code, e);
    }
    throw new AssertionError(`expected Gio.IOErrorEnum ${code}, nothing thrown`);
}

// Runs a main loop until @promise settles; returns its value or throws.
function settle(promise) {
    const loop = GLib.MainLoop.new(null, false);
    let settled = false, value, error;
    promise.then(v => {
        value = v;
    }, e => {
        error = e ?? new AssertionError('rejected without a reason');
    }).finally(() => {
        settled = true;
        loop.quit();
    });
    const timeout = GLib.timeout_add_seconds(GLib.PRIORITY_DEFAULT, 60, () => {
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    loop.run();
    assert(settled, 'the promise did not settle within 60 s');
    GLib.source_remove(timeout);
    if (error !== undefined)
        throw error;
    return value;
}

function listing(dir) {
    const names = [];
    const children = Gio.File.new_for_path(dir).enumerate_children('standard::name',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    for (let info = children.next_file(null); info !== null; info = children.next_file(null))
        names.push(info.get_name());
    children.close(null);
    return names.sort();
}

function exists(path) {
    return GLib.file_test(path, GLib.FileTest.EXISTS);
}

function contents(path) {
    const [, bytes] = GLib.file_get_contents(path);
    return decoder.decode(bytes);
}

function unixMode(path) {
    const info = Gio.File.new_for_path(path).query_info('unix::mode',
        Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    return info.get_attribute_uint32('unix::mode') & 0o7777;
}

// The process's umask (Linux: /proc/self/status), for the mode a file
// created with @mode gets.
function afterUmask(mode) {
    const status = contents('/proc/self/status');
    const umask = parseInt(status.match(/^Umask:\s*([0-7]+)$/m)[1], 8);
    return mode & ~umask;
}

// Whether @path is in @dir and named @prefix, @length characters of the
// library's name alphabet, @suffix.
function assertName(path, dir, prefix, length, suffix = '') {
    assertEqual(GLib.path_get_dirname(path), dir, 'dirname');
    const base = GLib.path_get_basename(path);
    const pattern = new RegExp(`^${prefix}[a-z0-9_]{${length}}${suffix.replace('.', '\\.')}$`);
    assert(pattern.test(base), `${base} is ${prefix}, ${length} random characters, ${suffix}`);
}

function streamMode(stream) {
    return stream.query_info('unix::mode', null).get_attribute_uint32('unix::mode') & 0o7777;
}

function write(stream, text) {
    const [ok] = stream.get_output_stream().write_all(encoder.encode(text), null);
    assert(ok, 'write_all');
}

function readAll(stream) {
    const chunks = [];
    const input = stream.get_input_stream();
    for (;;) {
        const bytes = input.read_bytes(65536, null);
        if (bytes.get_size() === 0)
            break;
        chunks.push(decoder.decode(bytes.toArray()));
    }
    return chunks.join('');
}

// Each test gets a fresh scratch directory made with GLib, not with us; it
// must be empty again at the end unless the test says otherwise.
function withScratch(func) {
    return () => {
        const scratch = GLib.dir_make_tmp('gtempfile-js-XXXXXX');
        try {
            const result = func(scratch);
            if (result instanceof Promise)
                settle(result);
        } finally {
            for (const name of listing(scratch))
                GLib.unlink(GLib.build_filenamev([scratch, name]));
            GLib.rmdir(scratch);
        }
    };
}

function runAsync(start) {
    const loop = GLib.MainLoop.new(null, false);
    let outcome;
    start((...args) => {
        outcome = args;
        loop.quit();
    });
    loop.run();
    return outcome;
}

// --- tests -----------------------------------------------------------------

const tests = [];
function test(name, func) {
    tests.push([name, func]);
}

test('/module/mkstemp', withScratch(scratch => {
    const [fd, path] = GTempfile.mkstemp(scratch, 'up_', '.bin');
    assert(fd >= 0, 'fd');
    GLib.close(fd);
    assertEqual(GLib.path_get_dirname(path), scratch, 'dirname');
    const base = GLib.path_get_basename(path);
    assert(base.startsWith('up_') && base.endsWith('.bin'), base);
    assertEqual(base.length, 'up_'.length + 8 + '.bin'.length, 'name length');
    assertEqual(unixMode(path), 0o600, 'mode');
    GLib.unlink(path);
    assertEqual(GTempfile.get_tempprefix(), 'tmp', 'tempprefix');
}));

// A bare descriptor (a safe tmpfile()), made a GTmpFile afterwards.
test('/module/anonymous', withScratch(scratch => {
    const fd = GTempfile.open_anonymous(scratch, 0);
    assert(fd >= 0, 'fd');
    assertEqual(listing(scratch).length, 0, 'anonymous: nothing in dir');
    const f = GTempfile.adopt_anonymous(fd);
    assert(f instanceof GTempfile.TmpFile, 'a GTmpFile');
    assertEqual(f.get_fd(), fd, 'owns the descriptor');
    write(f, 'adopted');
    const dest = `${scratch}/kept.txt`;
    f.persist(dest, GTempfile.TmpPersistFlags.NONE, null);
    f.close(null);
    assertEqual(contents(dest), 'adopted', 'persisted contents');
    GLib.unlink(dest);

    const missing = `${scratch}/missing`;
    const e = assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => GTempfile.open_anonymous(missing, 0));
    assert(e.message.includes(missing), e.message);

    // A named file is not adopted, and stays the caller's.
    const [named, path] = GTempfile.mkstemp(scratch, null, null);
    assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
        () => GTempfile.adopt_anonymous(named));
    GLib.close(named);
    GLib.unlink(path);
}));

test('/module/missing-dir', withScratch(scratch => {
    const missing = `${scratch}/missing`;
    const e = assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => GTempfile.mkdtemp(missing, null, null));
    assert(e.message.includes(missing), `message names the path: ${e.message}`);
}));

test('/tmp-file/read-write-persist', withScratch(scratch => {
    const f = GTempfile.TmpFile.new(scratch, null, null);
    assert(f instanceof Gio.FileIOStream, 'is a GFileIOStream');
    write(f, 'hello world');
    assertEqual(listing(scratch).length, 0, 'anonymous: nothing in dir');
    assertEqual(f.tell(), 11, 'position');
    f.seek(6, GLib.SeekType.SET, null);
    assertEqual(readAll(f), 'world', 'read back');
    const dest = `${scratch}/kept.txt`;
    f.persist(dest, GTempfile.TmpPersistFlags.NO_REPLACE, null);
    write(f, '!');
    f.close(null);
    assertEqual(contents(dest), 'hello world!', 'persisted contents');
    assertEqual(unixMode(dest), 0o600, 'persisted mode');
}));

// The _at variants take a plain int descriptor; GJS has no open(), so a
// GTmpDir's (O_DIRECTORY) descriptor serves as the directory.
test('/tmp-file/create-write-persist-at', withScratch(scratch => {
    const d = GTempfile.TmpDir.new(scratch, null, null);
    const dfd = d.get_fd();
    assert(dfd >= 0, 'a directory descriptor');
    const f = GTempfile.TmpFile.new_at(dfd, null, null, null, 0);
    write(f, 'saved by descriptor');
    f.persist_at(dfd, 'doc.txt', GTempfile.TmpPersistFlags.SYNC, null);
    f.close(null);
    assertEqual(contents(`${d.path}/doc.txt`), 'saved by descriptor', 'persisted contents');
    assertEqual(unixMode(`${d.path}/doc.txt`), 0o600, 'a new name keeps the mode');
    const g = GTempfile.TmpFile.new_at(dfd, null, null, null, 0);
    const e = assertIOError(Gio.IOErrorEnum.EXISTS,
        () => g.persist_at(dfd, 'doc.txt', GTempfile.TmpPersistFlags.NO_REPLACE, null));
    assert(e.message.includes(`${d.path}/doc.txt`), `message names the path: ${e.message}`);
    g.close(null);
    d.cleanup(null);
}));

test('/tmp-file/closed', withScratch(scratch => {
    const f = GTempfile.TmpFile.new(scratch, null, null);
    assert(f.get_fd() >= 0, 'fd while open');
    f.close(null);
    assertIOError(Gio.IOErrorEnum.CLOSED, () => f.get_fd());
}));

test('/tmp-file/async', withScratch(scratch => {
    const [, result] = runAsync(done => GTempfile.TmpFile.new_async(scratch,
        null, null, GLib.PRIORITY_DEFAULT, null, done));
    const f = GTempfile.TmpFile.new_finish(result);
    write(f, 'async');
    f.seek(0, GLib.SeekType.SET, null);
    assertEqual(readAll(f), 'async', 'read back');
    f.close(null);
}));

test('/tmp-file/async-promise', withScratch(async scratch => {
    const f = await GTempfile.TmpFile.new_async(scratch, 'anon_', null,
        GLib.PRIORITY_DEFAULT, null);
    assert(f instanceof GTempfile.TmpFile, 'a TmpFile');
    write(f, 'async');
    assertEqual(listing(scratch).length, 0, 'anonymous: nothing in dir');

    const dest = `${scratch}/kept.txt`;
    assertEqual(await f.persist_async(dest, GTempfile.TmpPersistFlags.NO_REPLACE,
        GLib.PRIORITY_DEFAULT, null), true, 'persist_async');
    write(f, '!');
    f.close(null);
    assertEqual(contents(dest), 'async!', 'persisted contents');
    assertEqual(unixMode(dest), 0o600, 'persisted mode');

    // NO_REPLACE onto an existing path: EXISTS, the destination untouched.
    const g = await GTempfile.TmpFile.new_async(scratch, null, null,
        GLib.PRIORITY_DEFAULT, null);
    write(g, 'other');
    const e = await assertRejectsIOError(Gio.IOErrorEnum.EXISTS,
        g.persist_async(dest, GTempfile.TmpPersistFlags.NO_REPLACE,
            GLib.PRIORITY_DEFAULT, null));
    assert(e.message.includes(dest), `message names the path: ${e.message}`);
    g.close(null);
    assertEqual(contents(dest), 'async!', 'destination untouched');
    assertEqual(listing(scratch).join(), 'kept.txt', 'nothing else left');
}));

test('/tmp-file/async-promise-errors', withScratch(async scratch => {
    const missing = `${scratch}/missing`;
    const e = await assertRejectsIOError(Gio.IOErrorEnum.NOT_FOUND,
        GTempfile.TmpFile.new_async(missing, null, null, GLib.PRIORITY_DEFAULT, null));
    assert(e.message.includes(missing), `message names the path: ${e.message}`);
    const cancellable = new Gio.Cancellable();
    cancellable.cancel();
    await assertRejectsIOError(Gio.IOErrorEnum.CANCELLED,
        GTempfile.TmpFile.new_async(scratch, null, null, GLib.PRIORITY_DEFAULT,
            cancellable));
}));

test('/tmp-file/missing-dir', withScratch(scratch => {
    assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => GTempfile.TmpFile.new(`${scratch}/missing`, null, null));
}));

test('/named-tmp-file/lifecycle', withScratch(scratch => {
    const f = GTempfile.NamedTmpFile.new(scratch, 'x', '.txt');
    const path = f.get_path();
    assertEqual(f.path, path, 'path property');
    assertEqual(GLib.path_get_dirname(path), scratch, 'dirname');
    const base = GLib.path_get_basename(path);
    assert(base.startsWith('x') && base.endsWith('.txt'), base);
    assertEqual(unixMode(path), 0o600, 'mode');
    write(f, 'visible');
    f.get_output_stream().flush(null);
    assertEqual(contents(path), 'visible', 'others see the bytes');
    assertEqual(f.get_file().get_path(), path, 'GFile');
    f.close(null);
    assert(!exists(path), 'unlinked on close');
}));

test('/named-tmp-file/properties-and-init', withScratch(scratch => {
    // GObject construction plus GInitable.init, as the GIR constructor does.
    const f = new GTempfile.NamedTmpFile({
        dir: scratch, prefix: 'p_', delete_on_close: false,
    });
    f.init(null);
    const path = f.get_path();
    assert(!f.delete_on_close, 'delete-on-close set');
    f.close(null);
    assert(exists(path), 'kept after close');
    f.cleanup(null);
    assert(!exists(path), 'removed by cleanup');
    f.cleanup(null);
}));

test('/named-tmp-file/delete-false', withScratch(scratch => {
    const f = GTempfile.NamedTmpFile.new(scratch, null, null);
    f.delete = false;
    const path = f.get_path();
    f.cleanup(null);
    assert(f.is_closed(), 'cleanup closes');
    assert(exists(path), 'delete=false keeps the file');
}));

test('/named-tmp-file/persist', withScratch(scratch => {
    const f = GTempfile.NamedTmpFile.new(scratch, null, null);
    write(f, 'final');
    const dest = `${scratch}/final.txt`;
    f.persist(dest, GTempfile.TmpPersistFlags.NONE, null);
    assertEqual(f.get_path(), dest, 'path follows the file');
    assert(!f.get_delete(), 'delete off after persist');
    f.close(null);
    assertEqual(listing(scratch).join(), 'final.txt', 'only the persisted file');
    assertEqual(contents(dest), 'final', 'contents');
}));

test('/named-tmp-file/persist-async', withScratch(async scratch => {
    const f = GTempfile.NamedTmpFile.new(scratch, 'x', '.part');
    const temp = f.get_path();
    write(f, 'final');
    const dest = `${scratch}/final.txt`;
    assertEqual(await f.persist_async(dest, GTempfile.TmpPersistFlags.NONE,
        GLib.PRIORITY_DEFAULT, null), true, 'persist_async');
    assertEqual(f.get_path(), dest, 'path follows the file');
    assert(!f.get_delete(), 'delete off after persist');
    assert(!exists(temp), 'the temporary name is gone');
    f.cleanup(null);
    assertEqual(contents(dest), 'final', 'contents');

    // NO_REPLACE onto an existing path: EXISTS, and nothing changes.
    const g = GTempfile.NamedTmpFile.new(scratch, 'y', null);
    write(g, 'other');
    const e = await assertRejectsIOError(Gio.IOErrorEnum.EXISTS,
        g.persist_async(dest, GTempfile.TmpPersistFlags.NO_REPLACE,
            GLib.PRIORITY_DEFAULT, null));
    assert(e.message.includes(dest), `message names the path: ${e.message}`);
    assert(exists(g.get_path()), 'the temporary keeps its name');
    assert(g.get_delete(), 'and its automatic deletion');
    g.close(null);
    assertEqual(contents(dest), 'final', 'destination untouched');
    assertEqual(listing(scratch).join(), 'final.txt', 'only the persisted file');
}));

test('/named-tmp-file/missing-dir', withScratch(scratch => {
    const missing = `${scratch}/missing`;
    const e = assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => GTempfile.NamedTmpFile.new(missing, 'x', '.txt'));
    assert(e.message.includes(missing), `message names the path: ${e.message}`);
    assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
        () => GTempfile.NamedTmpFile.new(scratch, '../x', null));
    assertEqual(listing(scratch).length, 0, 'nothing created');
}));

test('/spooled-tmp-file/rollover', withScratch(scratch => {
    const f = GTempfile.SpooledTmpFile.new(16, scratch, null, null);
    assertEqual(f.get_max_size(), 16, 'max-size');
    let notified = 0;
    f.connect('notify::rolled-over', () => notified++);
    write(f, '0123456789');
    assert(!f.is_rolled_over(), 'in memory');
    write(f, 'abcdefghij');
    assert(f.rolled_over, 'rolled over past max-size');
    assertEqual(notified, 1, 'notify::rolled-over once');
    assertEqual(f.tell(), 20, 'position kept');
    assertEqual(listing(scratch).length, 0, 'anonymous on disk');
    f.seek(0, GLib.SeekType.SET, null);
    assertEqual(readAll(f), '0123456789abcdefghij', 'all bytes');
    const dest = `${scratch}/spooled.txt`;
    f.persist(dest, GTempfile.TmpPersistFlags.NONE, null);
    f.close(null);
    assertEqual(contents(dest), '0123456789abcdefghij', 'persisted');
}));

test('/spooled-tmp-file/missing-dir', withScratch(scratch => {
    const f = GTempfile.SpooledTmpFile.new(4, `${scratch}/missing`, null, null);
    write(f, '1234');
    assertIOError(Gio.IOErrorEnum.NOT_FOUND, () => f.rollover(null));
    assert(!f.is_rolled_over(), 'still in memory');
    f.seek(0, GLib.SeekType.SET, null);
    assertEqual(readAll(f), '1234', 'data untouched');
    f.close(null);
}));

test('/tmp-dir/lifecycle', withScratch(scratch => {
    const d = GTempfile.TmpDir.new(scratch, 'build_', null);
    const path = d.get_path();
    assertEqual(d.path, path, 'path property');
    assert(GLib.path_get_basename(path).startsWith('build_'), path);
    assertEqual(unixMode(path), 0o700, 'mode');
    GLib.mkdir_with_parents(`${path}/a/b`, 0o755);
    GLib.file_set_contents(`${path}/a/b/f`, 'x');
    d.cleanup(null);
    assert(!exists(path), 'tree removed');
    d.cleanup(null);
    assertEqual(d.get_fd(), -1, 'no fd after cleanup');
}));

test('/tmp-dir/async', withScratch(scratch => {
    const [, created] = runAsync(done => GTempfile.TmpDir.new_async(scratch,
        null, null, GLib.PRIORITY_DEFAULT, null, done));
    const d = GTempfile.TmpDir.new_finish(created);
    GLib.file_set_contents(`${d.path}/f`, 'x');
    const [source, cleaned] = runAsync(done => d.cleanup_async(
        GLib.PRIORITY_DEFAULT, null, done));
    assert(source.cleanup_finish(cleaned), 'cleanup_finish');
    assert(!exists(d.path), 'removed');
}));

test('/tmp-dir/async-promise', withScratch(async scratch => {
    const d = await GTempfile.TmpDir.new_async(scratch, 'async_', null,
        GLib.PRIORITY_DEFAULT, null);
    assert(d instanceof GTempfile.TmpDir, 'a TmpDir');
    assert(GLib.path_get_basename(d.path).startsWith('async_'), d.path);
    assertEqual(unixMode(d.path), 0o700, 'mode');
    GLib.mkdir_with_parents(`${d.path}/a/b`, 0o755);
    GLib.file_set_contents(`${d.path}/a/b/f`, 'x');
    assertEqual(await d.cleanup_async(GLib.PRIORITY_DEFAULT, null), true,
        'cleanup_async');
    assert(!exists(d.path), 'removed');
    assertEqual(d.get_fd(), -1, 'no fd after cleanup');

    const missing = `${scratch}/missing`;
    const e = await assertRejectsIOError(Gio.IOErrorEnum.NOT_FOUND,
        GTempfile.TmpDir.new_async(missing, null, null, GLib.PRIORITY_DEFAULT, null));
    assert(e.message.includes(missing), `message names the path: ${e.message}`);
    await assertRejectsIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
        GTempfile.TmpDir.new_async(scratch, 'a/b', null, GLib.PRIORITY_DEFAULT, null));
    assertEqual(listing(scratch).length, 0, 'nothing left');
}));

// delete = false as in Python 3.12: dispose keeps the tree, an explicit
// cleanup (sync or async) removes it.
test('/tmp-dir/delete-false', withScratch(async scratch => {
    const kept = new GTempfile.TmpDir({dir: scratch, delete: false});
    kept.init(null);
    const keptPath = kept.path;
    GLib.file_set_contents(`${keptPath}/f`, 'x');
    kept.run_dispose();
    assertEqual(contents(`${keptPath}/f`), 'x', 'dispose keeps the tree');
    GLib.unlink(`${keptPath}/f`);
    GLib.rmdir(keptPath);

    const d = GTempfile.TmpDir.new(scratch, null, null);
    d.delete = false;
    GLib.mkdir_with_parents(`${d.path}/a`, 0o755);
    GLib.file_set_contents(`${d.path}/a/f`, 'x');
    d.cleanup(null);
    assert(!exists(d.path), 'cleanup removes the tree');
    d.cleanup(null);
    assert(!d.delete, 'delete still false');

    const e = await GTempfile.TmpDir.new_async(scratch, null, null,
        GLib.PRIORITY_DEFAULT, null);
    e.delete = false;
    GLib.file_set_contents(`${e.path}/f`, 'x');
    await e.cleanup_async(GLib.PRIORITY_DEFAULT, null);
    assert(!exists(e.path), 'cleanup_async removes the tree');
    assertEqual(listing(scratch).length, 0, 'nothing left');
}));

test('/tmp-dir/missing-dir', withScratch(scratch => {
    const missing = `${scratch}/missing`;
    const e = assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => GTempfile.TmpDir.new(missing, 'build_', null));
    assert(e.message.includes(missing), `message names the path: ${e.message}`);
    const d = new GTempfile.TmpDir({dir: missing});
    assertIOError(Gio.IOErrorEnum.NOT_FOUND, () => d.init(null));
}));

test('/full/module-functions', withScratch(scratch => {
    const [fd, path] = GTempfile.mkstemp_full(scratch, 'full_', '.bin', 0o640, 16);
    GLib.close(fd);
    assertName(path, scratch, 'full_', 16, '.bin');
    assertEqual(unixMode(path), afterUmask(0o640), 'file mode');
    GLib.unlink(path);

    const dir = GTempfile.mkdtemp_full(scratch, 'd_', null, 0o750, 128);
    assertName(dir, scratch, 'd_', 128);
    assertEqual(unixMode(dir), afterUmask(0o750), 'directory mode');
    GLib.rmdir(dir);

    const [fd0, path0] = GTempfile.mkstemp_full(scratch, null, null, 0, 0);
    GLib.close(fd0);
    assertName(path0, scratch, 'tmp', 8);
    assertEqual(unixMode(path0), 0o600, 'mode 0 is 0600');
    GLib.unlink(path0);
}));

test('/full/constructors', withScratch(scratch => {
    const named = GTempfile.NamedTmpFile.new_full(scratch, 'n_', '.txt', 0o640, 24);
    assertName(named.get_path(), scratch, 'n_', 24, '.txt');
    assertEqual(unixMode(named.get_path()), afterUmask(0o640), 'named mode');
    assertEqual(named.random_length, 24, 'random-length');
    assertEqual(named.mode, 0o640, 'mode property');
    named.close(null);

    const anonymous = GTempfile.TmpFile.new_full(scratch, null, null, 0o640, 0);
    assertEqual(streamMode(anonymous), afterUmask(0o640), 'anonymous mode');
    assertEqual(anonymous.random_length, 8, 'default random-length');
    anonymous.close(null);

    const spooled = GTempfile.SpooledTmpFile.new_full(4, scratch, null, null, 0o640, 16);
    assertEqual(spooled.random_length, 16, 'spooled random-length');
    write(spooled, 'past max-size');
    assert(spooled.rolled_over, 'rolled over');
    assertEqual(streamMode(spooled), afterUmask(0o640), 'spooled mode on disk');
    spooled.close(null);

    const dir = GTempfile.TmpDir.new_full(scratch, 'd_', null, 0o750, 20);
    assertName(dir.path, scratch, 'd_', 20);
    assertEqual(unixMode(dir.path), afterUmask(0o750), 'directory mode');
    dir.cleanup(null);

    const byProperty = new GTempfile.NamedTmpFile({dir: scratch, random_length: 40});
    byProperty.init(null);
    assertName(byProperty.get_path(), scratch, 'tmp', 40);
    byProperty.close(null);
    assertEqual(listing(scratch).length, 0, 'nothing left');
}));

test('/full/invalid-random-length', withScratch(scratch => {
    for (const length of [7, 129]) {
        const e = assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
            () => GTempfile.mkstemp_full(scratch, null, null, 0, length));
        assert(e.message.includes(scratch), `message names the directory: ${e.message}`);
        assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
            () => GTempfile.TmpDir.new_full(scratch, null, null, 0o750, length));
        assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
            () => GTempfile.TmpFile.new_full(scratch, null, null, 0, length));
    }
    assertEqual(listing(scratch).length, 0, 'nothing created');
}));

test('/named-tmp-file/async-promise', withScratch(async scratch => {
    // Its own constructor: a NamedTmpFile with a path, not a TmpFile.
    const f = await GTempfile.NamedTmpFile.new_async(scratch, 'n_', '.txt',
        GLib.PRIORITY_DEFAULT, null);
    assert(f instanceof GTempfile.NamedTmpFile, `a NamedTmpFile: ${f}`);
    const path = f.get_path();
    assertEqual(GLib.path_get_dirname(path), scratch, 'dirname');
    assertEqual(listing(scratch).join(), GLib.path_get_basename(path), 'on disk');

    const written = await f.get_output_stream().write_bytes_async(
        new GLib.Bytes(encoder.encode('promised')), GLib.PRIORITY_DEFAULT, null);
    assertEqual(written, 8, 'write_bytes_async');
    f.seek(0, GLib.SeekType.SET, null);
    const bytes = await f.get_input_stream().read_bytes_async(64,
        GLib.PRIORITY_DEFAULT, null);
    assertEqual(decoder.decode(bytes.toArray()), 'promised', 'read_bytes_async');
    assertEqual(contents(path), 'promised', 'others see the bytes');

    assertEqual(await f.close_async(GLib.PRIORITY_DEFAULT, null), true, 'close_async');
    assert(!exists(path), 'unlinked on close');

    await assertRejectsIOError(Gio.IOErrorEnum.NOT_FOUND,
        GTempfile.NamedTmpFile.new_async(`${scratch}/missing`, null, null,
            GLib.PRIORITY_DEFAULT, null));
}));

test('/spooled-tmp-file/async-promise', withScratch(async scratch => {
    const f = await GTempfile.SpooledTmpFile.new_async(4, scratch, null, null,
        GLib.PRIORITY_DEFAULT, null);
    assert(f instanceof GTempfile.SpooledTmpFile, `a SpooledTmpFile: ${f}`);
    assertEqual(f.max_size, 4, 'max-size');
    await f.get_output_stream().write_bytes_async(
        new GLib.Bytes(encoder.encode('12345')), GLib.PRIORITY_DEFAULT, null);
    assert(f.rolled_over, 'rolled over past max-size');
    const dest = `${scratch}/spooled.txt`;
    await f.persist_async(dest, GTempfile.TmpPersistFlags.NONE, GLib.PRIORITY_DEFAULT, null);
    await f.close_async(GLib.PRIORITY_DEFAULT, null);
    assertEqual(contents(dest), '12345', 'persisted');
}));

test('/spooled-tmp-file/max-size', () => {
    // No init needed: a spooled file has nothing to initialise.
    const f = new GTempfile.SpooledTmpFile({max_size: 10});
    assertEqual(f.max_size, 10, 'property');
    assertEqual(f.get_max_size(), f.max_size, 'getter and property agree');
    write(f, 'in memory');
    assert(!f.rolled_over, 'in memory');
    f.close(null);
});

test('/named-tmp-file/not-initialized', withScratch(async scratch => {
    // `new` is GObject construction alone: every call says what is missing.
    const f = new GTempfile.NamedTmpFile({dir: scratch, prefix: 'half_'});
    const e = assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, () => f.get_fd());
    assert(e.message.includes('init()'), `message says what to do: ${e.message}`);
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, () => write(f, 'x'));
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        () => f.seek(0, GLib.SeekType.SET, null));
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        () => f.query_info('standard::size', null));
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        () => f.persist(`${scratch}/saved`, GTempfile.TmpPersistFlags.NONE, null));
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, () => f.cleanup(null));
    await assertRejectsIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        f.get_output_stream().write_bytes_async(new GLib.Bytes(encoder.encode('x')),
            GLib.PRIORITY_DEFAULT, null));
    await assertRejectsIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        f.persist_async(`${scratch}/saved`, GTempfile.TmpPersistFlags.NONE,
            GLib.PRIORITY_DEFAULT, null));
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        () => f.get_input_stream().read_bytes(1, null));
    assertEqual(listing(scratch).length, 0, 'nothing created');

    // close() refuses too (and closes all the same, as GIOStream does).
    const closed = new GTempfile.NamedTmpFile({dir: scratch});
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, () => closed.close(null));
    assert(closed.is_closed(), 'closed all the same');

    // The properties that are not construction ones may be set before init().
    const kept = new GTempfile.NamedTmpFile({dir: scratch, prefix: 'kept_'});
    kept.delete_on_close = false;
    kept.init(null);
    kept.close(null);
    assert(exists(kept.get_path()), 'delete_on_close set before init() holds');
    kept.cleanup(null);
    assertEqual(listing(scratch).length, 0, 'nothing left but f');

    // init() makes it whole.
    f.init(null);
    write(f, 'whole');
    assertEqual(contents(f.get_path()), 'whole', 'written after init');
    f.close(null);
    assertEqual(listing(scratch).length, 0, 'removed on close');
}));

test('/tmp-dir/not-initialized', withScratch(async scratch => {
    const d = new GTempfile.TmpDir({dir: scratch});
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED, () => d.cleanup(null));
    await assertRejectsIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        d.cleanup_async(GLib.PRIORITY_DEFAULT, null));
    const dest = GLib.build_filenamev([scratch, 'published']);
    assertIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        () => d.persist(dest, GTempfile.TmpPersistFlags.NONE, null));
    await assertRejectsIOError(Gio.IOErrorEnum.NOT_INITIALIZED,
        d.persist_async(dest, GTempfile.TmpPersistFlags.NONE, GLib.PRIORITY_DEFAULT, null));
    assertEqual(listing(scratch).length, 0, 'nothing created or published');
    d.init(null);
    assertEqual(listing(scratch).length, 1, 'created by init');
    await d.cleanup_async(GLib.PRIORITY_DEFAULT, null);
    assertEqual(listing(scratch).length, 0, 'removed');
}));

// A directory @name in @scratch holding index.html with @text.
function makeSite(dir, text) {
    GLib.mkdir_with_parents(dir, 0o755);
    GLib.file_set_contents(`${dir}/index.html`, text);
}

function removeSite(dir) {
    GLib.unlink(`${dir}/index.html`);
    GLib.rmdir(dir);
}

test('/tmp-dir/persist', withScratch(scratch => {
    const d = GTempfile.TmpDir.new(scratch, '.build-', null);
    GLib.file_set_contents(`${d.path}/index.html`, 'new');
    const site = `${scratch}/site`;
    assert(d.persist(site, GTempfile.TmpPersistFlags.SYNC, null), 'persist');
    assertEqual(d.path, site, 'path');
    assertEqual(d.delete, false, 'delete');
    d.cleanup(null);
    assertEqual(contents(`${site}/index.html`), 'new', 'published');
    assertEqual(listing(scratch).join(), 'site', 'only the site');
    removeSite(site);
}));

test('/tmp-dir/persist-exchange', withScratch(scratch => {
    const d = GTempfile.TmpDir.new(scratch, '.build-', null);
    const path = d.path;
    GLib.file_set_contents(`${path}/index.html`, 'new');
    const live = `${scratch}/live`;
    makeSite(live, 'old');
    const e = assertIOError(Gio.IOErrorEnum.NOT_EMPTY,
        () => d.persist(live, GTempfile.TmpPersistFlags.NONE, null));
    assert(e.message.includes(live), `message names the path: ${e.message}`);
    assertIOError(Gio.IOErrorEnum.NOT_FOUND,
        () => d.persist(`${scratch}/missing`, GTempfile.TmpPersistFlags.EXCHANGE, null));
    d.persist(live, GTempfile.TmpPersistFlags.EXCHANGE, null);
    assertEqual(contents(`${live}/index.html`), 'new', 'swapped in');
    assertEqual(contents(`${path}/index.html`), 'old', 'swapped out');
    d.cleanup(null);
    assert(!exists(path), 'the old tree is removed');
    removeSite(live);
}));

test('/tmp-dir/persist-async', withScratch(async scratch => {
    const d = GTempfile.TmpDir.new(scratch, '.build-', null);
    GLib.file_set_contents(`${d.path}/index.html`, 'new');
    const site = `${scratch}/site`;
    makeSite(`${scratch}/taken`, 'taken');
    await assertRejectsIOError(Gio.IOErrorEnum.EXISTS,
        d.persist_async(`${scratch}/taken`, GTempfile.TmpPersistFlags.NO_REPLACE,
            GLib.PRIORITY_DEFAULT, null));
    assert(await d.persist_async(site, GTempfile.TmpPersistFlags.NONE,
        GLib.PRIORITY_DEFAULT, null), 'persist_async');
    assertEqual(d.path, site, 'path');
    removeSite(site);
    removeSite(`${scratch}/taken`);
}));

test('/tmp-file/persist-exchange-refused', withScratch(scratch => {
    const f = GTempfile.TmpFile.new(scratch, null, null);
    assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
        () => f.persist(`${scratch}/x`, GTempfile.TmpPersistFlags.EXCHANGE, null));
    assertEqual(listing(scratch).length, 0, 'nothing made');
}));

// Sets @path's modification time an hour back (not following a link).
function makeOld(path) {
    const file = Gio.File.new_for_path(path);
    const info = file.query_info('time::modified', Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
    const when = info.get_attribute_uint64('time::modified') - 3600;
    file.set_attribute_uint64('time::modified', when, Gio.FileQueryInfoFlags.NOFOLLOW_SYMLINKS, null);
}

test('/module/sweep', withScratch(async scratch => {
    const [fd, leftover] = GTempfile.mkstemp(scratch, 'app-', null);
    GLib.close(fd);
    const [fd2, fresh] = GTempfile.mkstemp(scratch, 'app-', null);
    GLib.close(fd2);
    const other = `${scratch}/app-XXXXXXXX`;
    GLib.file_set_contents(other, '');
    const link = `${scratch}/app-abcdefgh`;
    Gio.File.new_for_path(link).make_symbolic_link(leftover, null);
    for (const path of [leftover, other, link])
        makeOld(path);

    assertIOError(Gio.IOErrorEnum.INVALID_ARGUMENT,
        () => GTempfile.sweep(scratch, 'a/b', null, 0, 0, null));
    const minAge = 600 * GLib.USEC_PER_SEC;
    assertEqual(GTempfile.sweep(scratch, 'app-', null, 0, minAge, null), 1, 'removed');
    assert(!exists(leftover), 'the old file is gone');
    assertEqual(listing(scratch).join(), [fresh, other, link].map(p => GLib.path_get_basename(p)).sort().join(),
        'the others stay');
    assertEqual(await GTempfile.sweep_async(scratch, 'app-', null, 0, 0,
        GLib.PRIORITY_DEFAULT, null), 1, 'async, any age');
    assertEqual(listing(scratch).join(), [other, link].map(p => GLib.path_get_basename(p)).sort().join(),
        'the link and the other name stay');
}));

// --- runner ----------------------------------------------------------------

print(`1..${tests.length}`);
let failures = 0;
tests.forEach(([name, func], i) => {
    try {
        func();
        print(`ok ${i + 1} - ${name}`);
    } catch (e) {
        failures++;
        print(`not ok ${i + 1} - ${name}`);
        for (const line of `${e}\n${e.stack ?? ''}`.split('\n'))
            print(`# ${line}`);
    }
});
System.exit(failures > 0 ? 1 : 0);
