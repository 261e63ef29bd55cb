// bench-rust — Rust's tempfile crate, with gtmp-bench's command line
//
//   bench-rust lifecycle COLUMN DIR N
//   bench-rust stream COLUMN DIR CHUNK TOTAL [MAX_SIZE]
//   bench-rust rmtree COLUMN PATH
//
// Prints seconds, like gtmp-bench, timing only the work (not start-up).
//
// Copyright 2026 The libgtempfile authors
// SPDX-License-Identifier: LGPL-2.1-or-later

use std::env;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::process::exit;

// Same as BENCH_WARMUP_OPS in gtmp-bench.h.
const WARMUP_OPS: u64 = 200;

// GTMP_BENCH_CLOCK=cpu: this process's CPU time (user + system), which other
// processes on a busy machine do not inflate; otherwise wall-clock time.
fn now() -> f64 {
    let clock = if env::var("GTMP_BENCH_CLOCK").as_deref() == Ok("cpu") {
        libc::CLOCK_PROCESS_CPUTIME_ID
    } else {
        libc::CLOCK_MONOTONIC
    };
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    unsafe { libc::clock_gettime(clock, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn lifecycle_func(column: &str) -> fn(&Path) {
    match column {
        "rs-tmpfile" => |d| drop(tempfile::tempfile_in(d).unwrap()),
        "rs-named" => |d| drop(tempfile::NamedTempFile::new_in(d).unwrap()),
        "rs-dir" => |d| drop(tempfile::TempDir::new_in(d).unwrap()),
        _ => usage(),
    }
}

fn lifecycle(column: &str, dir: &Path, n: u64) -> Vec<f64> {
    let func = lifecycle_func(column);
    for _ in 0..WARMUP_OPS {
        func(dir);
    }
    let t0 = now();
    for _ in 0..n {
        func(dir);
    }
    vec![now() - t0]
}

fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i.wrapping_mul(131) + 7) as u8).collect()
}

fn file_rw<F: Read + Write + Seek>(f: &mut F, chunk: usize, total: usize) -> Vec<f64> {
    let src = pattern(chunk);
    let mut dst = vec![0u8; chunk];
    let t0 = now();
    for _ in 0..total / chunk {
        f.write_all(&src).unwrap();
    }
    f.flush().unwrap();
    let write_s = now() - t0;
    // The best of GTMP_BENCH_READS passes, as in gtmp-bench.
    let reads: usize = env::var("GTMP_BENCH_READS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut read_s = f64::MAX;
    for _ in 0..std::cmp::max(reads, 1) {
        f.seek(SeekFrom::Start(0)).unwrap();
        let t0 = now();
        for _ in 0..total / chunk {
            f.read_exact(&mut dst).unwrap();
        }
        read_s = read_s.min(now() - t0);
    }
    if dst != src {
        eprintln!("bench-rust: read back different bytes");
        exit(1);
    }
    vec![write_s, read_s]
}

fn stream(column: &str, dir: &Path, chunk: usize, total: usize, max_size: usize) -> Vec<f64> {
    match column {
        "rs" => file_rw(&mut tempfile::tempfile_in(dir).unwrap(), chunk, total),
        "rs-spooled" => {
            // SpooledTempFile rolls over into env::temp_dir(), which main()
            // points at DIR; max_size 0 never rolls over, as in the C columns.
            let max = if max_size == 0 { usize::MAX } else { max_size };
            let mut f = tempfile::SpooledTempFile::new(max);
            let result = file_rw(&mut f, chunk, total);
            if max_size > 0 && max_size < total && !f.is_rolled() {
                eprintln!("bench-rust: spooled file did not roll over");
                exit(1);
            }
            result
        }
        _ => usage(),
    }
}

// What TempDir's drop does (the crate's remove_dir_all is std's on Unix).
fn rmtree(column: &str, path: &Path) -> Vec<f64> {
    if column != "rs" {
        usage();
    }
    let t0 = now();
    std::fs::remove_dir_all(path).unwrap();
    vec![now() - t0]
}

fn usage() -> ! {
    eprintln!("usage: bench-rust lifecycle|stream|rmtree COLUMN ...");
    exit(2);
}

fn main() {
    let args: Vec<String> = env::args().collect();
    if args.len() < 4 {
        usage();
    }
    let (cmd, column, dir) = (args[1].as_str(), args[2].as_str(), Path::new(&args[3]));
    let num = |i: usize| -> usize { args.get(i).map_or(0, |s| s.parse().unwrap_or_else(|_| usage())) };
    let result = match cmd {
        "lifecycle" => lifecycle(column, dir, num(4) as u64),
        "stream" => {
            env::set_var("TMPDIR", dir);
            // The best of GTMP_BENCH_REPS fresh files, as in gtmp-bench.
            let reps = env::var("GTMP_BENCH_REPS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
            let runs: Vec<Vec<f64>> =
                (0..std::cmp::max(reps, 1)).map(|_| stream(column, dir, num(4), num(5), num(6))).collect();
            vec![
                runs.iter().map(|r| r[0]).fold(f64::MAX, f64::min),
                runs.iter().map(|r| r[1]).fold(f64::MAX, f64::min),
            ]
        }
        "rmtree" => rmtree(column, dir),
        _ => usage(),
    };
    let text: Vec<String> = result.iter().map(|x| format!("{:.9}", x)).collect();
    println!("{}", text.join(" "));
}
