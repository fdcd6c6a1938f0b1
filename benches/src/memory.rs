//! The process's resident memory, for the bytes an idle actor holds.

use crate::harness::Outcome;

/// The resident set size of this process, in bytes, after handing the
/// allocator's free pages back to the kernel, so that memory freed by
/// earlier work is not counted as held.
pub(crate) fn resident_bytes() -> Outcome<u64> {
    release_free_pages();
    let status = std::fs::read_to_string("/proc/self/status")
        .map_err(|e| format!("cannot read /proc/self/status: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().strip_suffix("kB"))
        .and_then(|kib| kib.trim().parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .ok_or_else(|| "no VmRSS line in /proc/self/status".to_owned())
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_pages() {
    unsafe extern "C" {
        /// glibc: returns free memory at the top of the heap and whole free
        /// pages inside it to the kernel.
        fn malloc_trim(pad: usize) -> i32;
    }
    // SAFETY: `malloc_trim` takes a plain integer and only touches the
    // allocator's own free lists, under the allocator's locks.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_pages() {}
