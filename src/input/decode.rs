//! Recognising, per line, the layout a collector or store wrapped around the application's
//! line, the way `kubectl logs` decorations are recognised: a log4j line costs two byte
//! comparisons; a JSON line is parsed only when it names a wrapper's key; stern's names are
//! looked for only once a line has shown them (see [`super::stern`]).

use super::wrapped::{Layout, Wrapped};
use super::{cri, json, stern};
use std::fmt;
use std::str::FromStr;

/// Which layouts an input is read with (`--input-format`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Recognise every layout by itself, line by line (and whole JSON documents by their
    /// first bytes).
    #[default]
    Auto,
    /// The application's lines as they are (with `kubectl logs` decorations): no collector
    /// layout is looked for.
    Plain,
    /// Only this layout (and the application's lines as they are).
    Only(Layout),
}

impl InputFormat {
    /// Every accepted name, for help texts and errors.
    pub const NAMES: &'static [&'static str] = &[
        "auto",
        "plain",
        "cri",
        "docker",
        "stern",
        "loki",
        "elasticsearch",
        "fluent-bit",
        "gcloud",
        "cloudwatch",
    ];
}

/// Error of [`InputFormat::from_str`]: names the accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown input format `{0}` (expected one of: {list})", list = InputFormat::NAMES.join(", "))]
pub struct InputFormatError(pub String);

impl FromStr for InputFormat {
    type Err = InputFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let layout = match s.trim().to_ascii_lowercase().as_str() {
            "auto" => return Ok(InputFormat::Auto),
            "plain" => return Ok(InputFormat::Plain),
            "cri" | "containerd" | "cri-o" => Layout::Cri,
            "docker" | "json-file" => Layout::Docker,
            "stern" => Layout::Stern,
            "loki" | "logcli" => Layout::Loki,
            "elasticsearch" | "opensearch" | "filebeat" => Layout::Elasticsearch,
            "fluent-bit" | "fluentbit" => Layout::FluentBit,
            "gcloud" | "google" => Layout::Gcloud,
            "cloudwatch" | "aws" => Layout::CloudWatch,
            _ => return Err(InputFormatError(s.to_string())),
        };
        Ok(InputFormat::Only(layout))
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputFormat::Auto => f.write_str("auto"),
            InputFormat::Plain => f.write_str("plain"),
            InputFormat::Only(l) => f.write_str(l.name()),
        }
    }
}

/// The per-input state of layout recognition.
#[derive(Clone, Debug)]
pub struct Decoder {
    format: InputFormat,
    stern: Option<stern::Shape>,
    /// The layout of the last wrapped line: the input's framing.
    framing: Option<Layout>,
}

impl Decoder {
    /// A decoder for one input.
    pub fn new(format: InputFormat) -> Self {
        Decoder {
            format,
            stern: None,
            framing: None,
        }
    }

    /// The layout this input's lines have shown (every line of a CRI file, a Docker file, a
    /// logcli export… carries it): a later line without it is malformed, not a
    /// continuation of the application's record.
    pub fn framing(&self) -> Option<Layout> {
        self.framing
    }

    /// Whether [`Decoder::decode`] and [`Decoder::detect_stern`] surely find no wrapping in
    /// `line` and leave the decoder as it is, told from its first byte: no layout or stern
    /// shape was seen yet, and the byte starts no JSON, CRI or stern line (a digit, `{`, a
    /// lower-case letter or an escape byte). `false` means "maybe".
    pub fn surely_unwrapped(&self, line: &[u8]) -> bool {
        self.stern.is_none()
            && self.framing.is_none()
            && !matches!(line.first(), None | Some(b'0'..=b'9' | b'{' | b'a'..=b'z' | 0x1b))
    }

    /// The wrapping of `line`, if it has one; `None` for the application's own lines (and
    /// `kubectl logs` decorations, which are not a collector's).
    #[inline]
    pub fn decode<'a>(&mut self, line: &'a str) -> Option<Wrapped<'a>> {
        // The application's own log4j line (a digit, no `T` after the date) is turned away
        // here, without a call.
        let b = line.as_bytes();
        let candidate = self.stern.is_some()
            || match b.first() {
                Some(b'{') => true,
                Some(c) if c.is_ascii_digit() => b.get(10) == Some(&b'T'),
                _ => false,
            };
        if !candidate {
            return None;
        }
        self.decode_candidate(line)
    }

    fn decode_candidate<'a>(&mut self, line: &'a str) -> Option<Wrapped<'a>> {
        let wanted = match self.format {
            InputFormat::Plain => return None,
            InputFormat::Auto => None,
            InputFormat::Only(l) => Some(l),
        };
        if let Some(shape) = self.stern {
            if let Some(w) = stern::parse(line, shape) {
                self.framing = Some(Layout::Stern);
                return Some(w);
            }
        }
        let b = line.as_bytes();
        let w = match b.first()? {
            b'{' if wanted != Some(Layout::Cri) && wanted != Some(Layout::Stern) => {
                nested(json::decode_line(line)?)
            }
            c if c.is_ascii_digit() && b.get(10) == Some(&b'T') => cri::parse(line)?,
            _ => return None,
        };
        match wanted {
            Some(l) if l != w.layout => None,
            _ => {
                if w.layout.frames_every_line() {
                    self.framing = Some(w.layout);
                }
                Some(w)
            }
        }
    }

    /// Whether `line`, which is no record start by itself, is stern's: its names taken off,
    /// the rest satisfies `is_record`. Remembers the shape for the following lines.
    pub fn detect_stern<'a>(
        &mut self,
        line: &'a str,
        is_record: impl Fn(&str) -> bool,
    ) -> Option<Wrapped<'a>> {
        match self.format {
            InputFormat::Auto | InputFormat::Only(Layout::Stern) => {}
            _ => return None,
        }
        if self.stern.is_some() {
            return None;
        }
        let shape = stern::detect(line, is_record)?;
        self.stern = Some(shape);
        self.framing = Some(Layout::Stern);
        stern::parse(line, shape)
    }
}

/// A store's line whose text is itself wrapped (a raw CRI line or Docker record shipped
/// unparsed; Fluent Bit's JSON as a CloudWatch message): one more level taken off.
pub(crate) fn nested(w: Wrapped<'static>) -> Wrapped<'static> {
    let b = w.text.as_bytes();
    let inner = match b.first() {
        Some(b'{') => json::decode_line(&w.text),
        Some(c) if c.is_ascii_digit() && b.get(10) == Some(&b'T') => {
            cri::parse(&w.text).map(Wrapped::into_owned)
        }
        _ => None,
    };
    match inner {
        Some(i) => w.nest(i),
        None => w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REC: &str = "2024-05-06 10:15:31,112 INFO  a.B [] - m";

    #[test]
    fn plain_lines_are_not_wrapped() {
        let mut d = Decoder::new(InputFormat::Auto);
        assert_eq!(d.framing(), None);
        for l in [
            REC,
            "\tat a.B(C.java:1)",
            "2024-05-06T10:15:31.112Z 2024-05-06 10:15:31,112 INFO a.B [] - kubectl",
            "[pod/jm-0/c] x",
            r#"{"@timestamp":"2024-05-06T10:15:31.112Z","log.level":"INFO","log.logger":"a.B","message":"m"}"#,
            "",
        ] {
            assert!(d.decode(l).is_none(), "{l}");
        }
    }

    #[test]
    fn layouts_and_nesting() {
        let mut d = Decoder::new(InputFormat::Auto);
        let cri = format!("2024-05-06T10:15:31.112345678Z stdout F {REC}");
        let w = d.decode(&cri).unwrap();
        assert_eq!((w.layout, w.text.as_ref()), (Layout::Cri, REC));
        // A raw CRI line in Loki: Loki's source, the runtime's instant and partial flag.
        let line = format!(
            r#"{{"labels":{{"pod":"jm-0"}},"line":"2024-05-06T10:15:31.000000001Z stdout P {REC}","timestamp":"2024-05-06T10:15:31.5Z"}}"#
        );
        let w = d.decode(&line).unwrap();
        assert_eq!(w.layout, Layout::Loki);
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        assert_eq!(w.text, REC);
        assert!(w.partial);
        assert_eq!(w.ts.unwrap().timestamp_subsec_nanos(), 1);
        // Fluent Bit's JSON as a CloudWatch message.
        let line = r#"{"timestamp":1715000000123,"message":"{\"log\":\"x\\n\",\"stream\":\"stdout\",\"kubernetes\":{\"pod_name\":\"jm-1\"}}","ingestionTime":1}"#;
        let w = d.decode(line).unwrap();
        assert_eq!(
            (w.layout, w.pod.as_deref(), w.text.as_ref()),
            (Layout::CloudWatch, Some("jm-1"), "x")
        );
    }

    #[test]
    fn stern_once_detected() {
        let mut d = Decoder::new(InputFormat::Auto);
        let is_rec = |s: &str| s.starts_with("2024-");
        let first = format!("jm-0 c {REC}");
        assert!(d.decode(&first).is_none());
        let w = d.detect_stern(&first, is_rec).unwrap();
        assert_eq!(w.pod.as_deref(), Some("jm-0"));
        // Afterwards every line is read with its names, continuation lines too.
        let w = d.decode("jm-0 c \tat x").unwrap();
        assert_eq!((w.layout, w.text.as_ref()), (Layout::Stern, "\tat x"));
        assert_eq!(d.framing(), Some(Layout::Stern));
        assert!(d.detect_stern(&first, is_rec).is_none());
        // Not for other formats.
        let mut p = Decoder::new(InputFormat::Plain);
        assert!(p.detect_stern(&first, is_rec).is_none());
    }

    #[test]
    fn forced_formats() {
        let cri = format!("2024-05-06T10:15:31.112345678Z stdout F {REC}");
        assert!(Decoder::new(InputFormat::Plain).decode(&cri).is_none());
        assert!(Decoder::new("docker".parse().unwrap())
            .decode(&cri)
            .is_none());
        assert!(Decoder::new("cri".parse().unwrap()).decode(&cri).is_some());
        assert_eq!(
            "fluentbit".parse::<InputFormat>().unwrap().to_string(),
            "fluent-bit"
        );
        let e = "nope".parse::<InputFormat>().unwrap_err();
        assert!(
            e.to_string().contains("expected one of: auto, plain, cri"),
            "{e}"
        );
        for n in InputFormat::NAMES {
            assert_eq!(n.parse::<InputFormat>().unwrap().to_string(), *n);
        }
    }
}
