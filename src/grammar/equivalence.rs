//! The hand matchers against the regex path, the reference: the same verdict and the same
//! fields on every template's samples, on every record of the real logs under `samples/`,
//! and on seeded mutations of the samples (cut, doubled, with spaces, brackets, digits,
//! non-ASCII and newlines put in) that reach the corners of each hole type.

use super::*;
use crate::envelope::{parse_line, Zone};

fn builtin() -> Grammar {
    Grammar::builtin().expect("built-in grammar")
}

/// The first line of a record's message, as the pipeline hands it to `classify`.
fn head(message: &str) -> &str {
    let h = message.split('\n').next().unwrap_or("");
    h.strip_suffix('\r').unwrap_or(h)
}

/// Every template's hand answer against its regex on `msg` (trimmed as classification
/// trims it); the hand matcher may give up, it may never differ.
fn same_on_every_template(g: &Grammar, msg: &str, what: &str) -> usize {
    let msg = msg.trim();
    let mut compared = 0;
    for t in &g.templates {
        let regex = t.fields(msg, Engine::Regex);
        let regex_match = t.is_match(msg, Engine::Regex);
        if let Some(hand) = t.fields_hand(msg) {
            compared += 1;
            assert_eq!(
                hand, regex,
                "{what}: template {}:{} on `{msg}`",
                t.loc.file, t.loc.line
            );
        }
        assert_eq!(
            t.is_match(msg, Engine::Fast),
            regex_match,
            "{what}: is_match of {}:{} on `{msg}`",
            t.loc.file,
            t.loc.line
        );
        assert_eq!(
            t.fields(msg, Engine::Fast),
            regex,
            "{what}: fields of {}:{} on `{msg}`",
            t.loc.file,
            t.loc.line
        );
        // Told that the message is one line (what the pipeline knows of a pattern layout's
        // message), the same answers.
        if !msg.contains('\n') {
            assert_eq!(
                t.is_match_in(msg, Engine::Fast, true),
                regex_match,
                "{what}: one-line is_match of {}:{} on `{msg}`",
                t.loc.file,
                t.loc.line
            );
            assert_eq!(
                t.fields_in(msg, Engine::Fast, true),
                regex,
                "{what}: one-line fields of {}:{} on `{msg}`",
                t.loc.file,
                t.loc.line
            );
        }
    }
    compared
}

#[test]
fn every_sample_on_every_template() {
    let g = builtin();
    let mut compared = 0;
    for t in &g.templates {
        for s in &t.samples {
            let env = parse_line(&s.text, &Zone::Utc).expect("sample parses");
            compared += same_on_every_template(&g, head(&env.message), &s.text);
        }
    }
    // Every built-in template has a hand matcher, and it never gave up on a sample.
    let samples: usize = g.templates.iter().map(|t| t.samples.len()).sum();
    assert_eq!(compared, samples * g.templates.len());
}

/// Log files below `samples/` (not MANIFESTs, READMEs or scripts).
fn sample_logs(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sample_logs(&p, out);
        } else if !matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("md" | "py" | "pyc")
        ) {
            out.push(p);
        }
    }
}

#[test]
fn every_record_of_the_sample_logs() {
    let g = builtin();
    let mut files = Vec::new();
    sample_logs(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("samples"),
        &mut files,
    );
    assert!(files.len() > 20, "samples/ holds the corpus logs");
    let (mut records, mut events) = (0usize, 0usize);
    for f in &files {
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let text = String::from_utf8_lossy(&bytes);
        for (n, raw) in text.lines().enumerate() {
            let line = crate::input::strip_kubectl(raw).rest;
            let Some(env) = parse_line(line, &Zone::Utc) else {
                continue;
            };
            records += 1;
            let msg = head(&env.message);
            let fast = g.classify(&env.level, &env.logger, msg);
            let regex = g.classify_regex(&env.level, &env.logger, msg);
            assert_eq!(fast, regex, "{}:{}: `{line}`", f.display(), n + 1);
            if matches!(fast, Classified::Event { .. }) {
                events += 1;
            }
            // Templates of this logger beyond the first match, too.
            g.with_resolved(env.logger.trim(), |r| {
                for &i in r.candidates(msg.trim()) {
                    let Some(t) = g.templates.get(i as usize) else {
                        continue;
                    };
                    let m = msg.trim();
                    if let Some(hand) = t.fields_hand(m) {
                        assert_eq!(
                            hand,
                            t.fields(m, Engine::Regex),
                            "{}:{}: template {}:{}",
                            f.display(),
                            n + 1,
                            t.loc.file,
                            t.loc.line
                        );
                    }
                }
            });
        }
    }
    assert!(
        records > 10_000 && events > 1_000,
        "{records} records, {events} events"
    );
}

/// xorshift64*: a seeded, dependency-free source of mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

/// Text that stresses hole boundaries: separators, brackets, digits, hex, case, non-ASCII
/// (white space and not), newlines.
const INSERTS: &[&str] = &[
    " ",
    "  ",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ".",
    "'",
    "=",
    "@",
    "-",
    "_",
    "0",
    "9",
    "a",
    "F",
    "Z",
    "x",
    "\u{a0}",
    "\u{2003}",
    "\u{e9}",
    "\u{1F600}",
    "\n",
    "\t",
    " (",
    ") ",
    " for ",
    " to ",
    "Checkpoint",
    "Savepoint",
    "c506b6c290cc2d96a0e3f0eea10395c4",
    "12dc9230-72cd-49e6-a6ad-48903369f0bf",
    "99999999999999999999999",
];

fn char_floor(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn mutate(rng: &mut Rng, msg: &str) -> String {
    let mut m = msg.to_string();
    for _ in 0..1 + rng.below(3) {
        let a = char_floor(&m, rng.below(m.len() + 1));
        let b = char_floor(&m, a + rng.below(12));
        let (lo, hi) = (a.min(b), a.max(b));
        match rng.below(6) {
            0 => m.replace_range(lo..hi, ""),
            1 => {
                let seg = m[lo..hi].to_string();
                m.insert_str(hi, &seg);
            }
            2 => m.truncate(lo),
            _ => {
                let ins = INSERTS[rng.below(INSERTS.len())];
                m.insert_str(lo, ins);
            }
        }
    }
    m
}

#[test]
fn mutated_samples_on_their_templates() {
    let g = builtin();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut compared = 0;
    for t in &g.templates {
        for s in &t.samples {
            let env = parse_line(&s.text, &Zone::Utc).expect("sample parses");
            let msg = head(&env.message).trim().to_string();
            for _ in 0..150 {
                let m = mutate(&mut rng, &msg);
                for other in &g.templates {
                    if other.first_byte() != t.first_byte() && !std::ptr::eq(other, t) {
                        continue;
                    }
                    let m = m.trim();
                    if !m.contains('\n') {
                        assert_eq!(
                            other.fields_in(m, Engine::Fast, true),
                            other.fields(m, Engine::Regex),
                            "one-line template {}:{} on mutated `{m:?}`",
                            other.loc.file,
                            other.loc.line
                        );
                    }
                    if let Some(hand) = other.fields_hand(m) {
                        compared += 1;
                        assert_eq!(
                            hand,
                            other.fields(m, Engine::Regex),
                            "template {}:{} on mutated `{m:?}`",
                            other.loc.file,
                            other.loc.line
                        );
                    }
                }
            }
        }
    }
    assert!(compared > 10_000, "{compared}");
}
