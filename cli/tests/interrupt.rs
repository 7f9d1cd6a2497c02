//! Ctrl-C stops a run cleanly: exit code 130, the completed replications are reported, and an
//! output directory that already held results is left exactly as it was.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::Duration;

#[test]
fn ctrl_c_reports_completed_replications_and_keeps_old_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("summary.json"), "previous good result\n").unwrap();
    let root = crate::support::workspace_root();
    let child = Command::new(crate::support::carepath_bin())
        .current_dir(root)
        .args([
            "run",
            "scenarios/benchmark.toml",
            "--max-arrivals",
            "100000",
            "--replications",
            "200",
            "--threads",
            "1",
            "--out",
        ])
        .arg(&out)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Let some replications finish (each is 100,000 patients).
    std::thread::sleep(Duration::from_millis(1500));
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(130), "stderr: {stderr}");
    assert!(
        stderr.contains("interrupted after") && stderr.contains("of 200 replications"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        stdout.contains("Benchmark") || stderr.contains("interrupted after 0"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("summary.json")).unwrap(),
        "previous good result\n"
    );
    assert_eq!(
        std::fs::read_dir(&out).unwrap().count(),
        1,
        "no new or temporary files"
    );
}

/// Ctrl-C in the middle of one very long replication (tens of millions of patients, minutes of
/// work) stops the run within about a second: the engine looks at the stop flag every few
/// thousand events instead of only between replications.
#[test]
fn ctrl_c_stops_a_single_long_replication_within_a_second() {
    let root = crate::support::workspace_root();
    let child = Command::new(crate::support::carepath_bin())
        .current_dir(root)
        .args([
            "run",
            "scenarios/benchmark.toml",
            "--max-arrivals",
            "40000000",
            "--replications",
            "1",
            "--threads",
            "1",
        ])
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let sent = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let took = sent.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "stderr: {stderr}");
    assert!(stderr.contains("interrupted after 0 of 1"), "{stderr}");
    // The whole replication takes many seconds even in an optimised build; a second is
    // generous for a check every 4,096 events, also on a busy machine.
    assert!(took < Duration::from_secs(2), "stopped after {took:?}");
}

/// Ctrl-C during `carepath fit`'s bootstrap stops it at the next bootstrap sample: exit 130,
/// and the output directory is not created.
#[test]
fn ctrl_c_stops_the_fit_bootstrap_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fit");
    let root = crate::support::workspace_root();
    let child = Command::new(crate::support::carepath_bin())
        .current_dir(root)
        .args([
            "fit",
            "scenarios/data/consultations.csv",
            "--column",
            "consult",
            "--bootstrap",
            "100000",
            "--out",
        ])
        .arg(&out)
        .env("RUST_BACKTRACE", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1000));
    let sent = std::time::Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(130), "stderr: {stderr}");
    assert!(
        stderr.contains("interrupted during the bootstrap"),
        "{stderr}"
    );
    assert!(
        sent.elapsed() < Duration::from_secs(5),
        "{:?}",
        sent.elapsed()
    );
    assert!(!out.exists());
}
