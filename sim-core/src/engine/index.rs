//! Typed indices of the engine's tables: a station and an arrival stream are both small
//! integers, and a function taking "`s`" once meant either; these make the compiler tell them
//! apart at no cost (`#[repr(transparent)]` over the model's `u32`).

/// The index of a station in `Model::stations` (and of its state in the simulator).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(transparent)]
pub(super) struct StationIx(pub(super) u32);

/// The index of an arrival stream in `Model::streams` (and of its state in the simulator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(transparent)]
pub(super) struct StreamIx(pub(super) u32);

impl StationIx {
    /// As a `usize` for indexing.
    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }
}

impl StreamIx {
    /// As a `usize` for indexing.
    #[inline(always)]
    pub(super) fn ix(self) -> usize {
        self.0 as usize
    }
}
