//! `memchr` for one byte searched for again and again (every line's end, a template
//! literal's rarest byte), its vector routine and needle set up once.
//!
//! The generic `memchr::memchr` chooses the routine through an indirect call and sets up
//! the needle on every call: on the lines of a log (about 190 bytes each) some forty of the
//! hundred instructions a line end cost (callgrind, 64 MiB benchmark log from a pipe: 737.0 ->
//! 722.5 M for the line ends of `TextLines` alone).

/// A search for one byte, set up once.
#[derive(Debug, Clone, Copy)]
pub struct ByteFinder {
    byte: u8,
    #[cfg(target_arch = "x86_64")]
    avx2: Option<memchr::arch::x86_64::avx2::memchr::One>,
}

impl ByteFinder {
    /// A search for `byte`: with the AVX2 routine when the CPU has it, else `memchr`'s own
    /// choice.
    pub fn new(byte: u8) -> Self {
        ByteFinder {
            byte,
            #[cfg(target_arch = "x86_64")]
            avx2: memchr::arch::x86_64::avx2::memchr::One::new(byte),
        }
    }

    /// The byte searched for.
    pub fn byte(&self) -> u8 {
        self.byte
    }

    /// The index of the first occurrence of the byte in `hay`.
    #[inline]
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if let Some(f) = &self.avx2 {
            return f.find(hay);
        }
        memchr::memchr(self.byte, hay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same answer as `memchr` for every byte value, at every position of haystacks
    /// shorter and longer than the vector routines' blocks, and with no occurrence.
    #[test]
    fn finds_what_memchr_finds() {
        for len in [
            0usize, 1, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 129, 200, 300,
        ] {
            for at in (0..len).step_by(7).chain([len.saturating_sub(1)]) {
                for byte in [b'\n', b'\t', 0, 0xff, b'a'] {
                    let mut hay = vec![b'x'; len];
                    if at < len {
                        hay[at] = byte;
                    }
                    let f = ByteFinder::new(byte);
                    assert_eq!(
                        f.find(&hay),
                        memchr::memchr(byte, &hay),
                        "{len} {at} {byte}"
                    );
                    assert_eq!(f.byte(), byte);
                }
            }
        }
    }
}
