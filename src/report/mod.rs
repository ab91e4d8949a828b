//! Renderers: every human and machine rendering of the checker's results.
//!
//! Pure functions from [`Analysis`] (and, for HTML, the events behind it) to `String`:
//!
//! * `flinkha check`: [`check_text`], [`check_json`], [`check_junit`], [`check_github`];
//! * `flinkha timeline`: [`timeline_text`], [`timeline_markdown`], [`timeline_json`],
//!   [`timeline_html`], or [`render_timeline`] to pick one by [`TimelineFormat`].
//!
//! Log text is hostile input: every renderer escapes it for its output language through the
//! functions in `escape` (HTML, XML, GitHub workflow commands, Markdown, terminal).

mod check;
mod escape;
mod html;
mod story_app;
mod style;
mod timeline;
mod units;

pub use check::{check_github, check_json, check_junit, check_text, summary_line, Counts};
pub use escape::html as escape_html;
pub use html::timeline_html;
pub use timeline::{timeline_json, timeline_markdown, timeline_text};

use crate::check::model::Analysis;
use crate::events::Event;
use crate::labels::Labels;

/// Output formats of `flinkha timeline`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimelineFormat {
    /// Plain text, optionally coloured.
    Text,
    /// Markdown for an incident review.
    Markdown,
    /// One JSON document for scripts.
    Json,
    /// A self-contained HTML page with an SVG chart.
    Html,
}

/// Render the timeline of `analysis` in `format`. `events` feed the HTML chart's checkpoint
/// ticks, hover texts and event table; `color` only affects [`TimelineFormat::Text`]; the
/// run `labels` go into the machine format, [`TimelineFormat::Json`].
pub fn render_timeline(
    format: TimelineFormat,
    analysis: &Analysis,
    events: &[Event],
    color: bool,
    labels: &Labels,
) -> String {
    match format {
        TimelineFormat::Text => timeline_text(analysis, color),
        TimelineFormat::Markdown => timeline_markdown(analysis),
        TimelineFormat::Json => timeline_json(analysis, labels),
        TimelineFormat::Html => timeline_html(analysis, events),
    }
}

/// Pretty JSON with a trailing newline; serialising plain model data cannot fail, but if it
/// ever did the output says so instead of panicking.
fn to_json<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": {:?}}}\n", e.to_string()),
    }
}

#[cfg(test)]
use crate::check::model;
#[cfg(test)]
use crate::events;

/// The hand-made failover story shared with the integration tests.
#[cfg(test)]
#[path = "../../tests/report_story/mod.rs"]
pub(crate) mod test_story;
