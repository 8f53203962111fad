//! The wasm's memory allocator: one free list per power-of-two block size.
//!
//! Why not the default (dlmalloc): it is about 7 KB of the wasm, for splitting and merging
//! blocks that this core does not need. Each call into the core allocates what it reads
//! and writes and frees it all before it returns, so blocks of the same few sizes are
//! taken and given back over and over; a block freed here waits on its size's list for
//! the next request of that size. The cost is memory: a request is rounded up to a power
//! of two, and a free block is never split or merged. Like dlmalloc, memory taken from the
//! browser is never given back.
//!
//! wasm32-unknown-unknown has one thread, so no locking.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::ptr::null_mut;

const PAGE: usize = 65536;
/// Blocks start at a multiple of their size up to this (so every alignment a size's
/// requests can have holds for every block of that size); larger blocks, at multiples of it.
const MAX_ALIGN: usize = 4096;

struct State {
    /// The first free block of each size `1 << class`; each free block holds the next.
    free: [*mut u8; usize::BITS as usize],
    /// Unused memory taken from the browser: `next..end`.
    next: usize,
    end: usize,
}

/// The allocator.
pub struct Heap(UnsafeCell<State>);

// SAFETY: wasm32-unknown-unknown runs one thread.
unsafe impl Sync for Heap {}

#[global_allocator]
static HEAP: Heap = Heap(UnsafeCell::new(State { free: [null_mut(); usize::BITS as usize], next: 0, end: 0 }));

/// The size class of a request: blocks of `1 << class` bytes, at least a pointer's size.
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(std::mem::size_of::<usize>());
    size.next_power_of_two().trailing_zeros() as usize
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > MAX_ALIGN || layout.size() > isize::MAX as usize / 2 {
            return null_mut();
        }
        let c = class(&layout);
        // SAFETY: one thread, and no call below re-enters the allocator.
        let s = unsafe { &mut *self.0.get() };
        let head = s.free[c];
        if !head.is_null() {
            // SAFETY: a free block's first word holds the next free block of its size.
            s.free[c] = unsafe { *(head as *mut *mut u8) };
            return head;
        }
        let size = 1usize << c;
        let align = size.min(MAX_ALIGN);
        // `start` never passes `end`: `end` is a multiple of the page, so of `align`.
        let mut start = (s.next + align - 1) & !(align - 1);
        if s.end - start < size {
            let pages = size.div_ceil(PAGE);
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old == usize::MAX {
                return null_mut();
            }
            // New pages follow the old end unless something else grew the memory.
            if old * PAGE != s.end {
                s.next = old * PAGE;
            }
            s.end = (old + pages) * PAGE;
            start = (s.next + align - 1) & !(align - 1);
            if s.end - start < size {
                // The rest of the old memory was too small: start in the new pages.
                start = old * PAGE;
            }
        }
        s.next = start + size;
        start as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let c = class(&layout);
        // SAFETY: as in `alloc`; `ptr` is a block of this size, now unused.
        let s = unsafe { &mut *self.0.get() };
        unsafe { *(ptr as *mut *mut u8) = s.free[c] };
        s.free[c] = ptr;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller gives a valid layout for the new size.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        if class(&new) == class(&layout) {
            return ptr; // the block already has room
        }
        // SAFETY: as the default `realloc`: a new block, the old bytes copied, the old block freed.
        unsafe {
            let out = self.alloc(new);
            if !out.is_null() {
                std::ptr::copy_nonoverlapping(ptr, out, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            out
        }
    }
}
