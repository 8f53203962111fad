//! The same checks without libFuzzer, for machines where cargo-fuzz cannot build:
//! random inputs from a seeded generator for a bounded time.
//!   cargo run --release --bin scan_loop -- [seconds] [seed]
//! Prints `executions N findings 0`; a broken invariant panics with the seed and input.

mod model;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let secs: f64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60.0);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0x0970_071e);
    let mut x = seed | 1;
    let mut next = || {
        // xorshift64*
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let t0 = std::time::Instant::now();
    let mut n: u64 = 0;
    let mut buf = Vec::new();
    while t0.elapsed().as_secs_f64() < secs {
        let len = (next() % 4096) as usize;
        buf.clear();
        while buf.len() < len {
            buf.extend_from_slice(&next().to_le_bytes());
        }
        buf.truncate(len);
        let input = buf.clone();
        if std::panic::catch_unwind(|| model::run(&input)).is_err() {
            std::fs::write("scan_loop-crash.bin", &input).ok();
            eprintln!("finding: input written to scan_loop-crash.bin ({} bytes), seed {seed}, execution {n}", input.len());
            println!("executions {n} findings 1");
            std::process::exit(1);
        }
        n += 1;
    }
    let r: Vec<u64> = model::REACHED.iter().map(|c| c.load(std::sync::atomic::Ordering::Relaxed)).collect();
    println!("reached: marks checked {}, switches named by their key alone {}", r[0], r[1]);
    println!("executions {n} findings 0");
}
