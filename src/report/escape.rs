//! Escaping for every output language. Log text is hostile input: each renderer passes every
//! piece of it through exactly one of these functions.

use std::fmt::Write as _;

/// Characters XML 1.0 forbids outright (C0 controls other than tab, newline, carriage
/// return) and characters HTML treats as parse errors are replaced with `U+FFFD`.
fn is_forbidden(c: char) -> bool {
    (c < ' ' && c != '\t' && c != '\n' && c != '\r')
        || c == '\u{7f}'
        || ('\u{80}'..='\u{9f}').contains(&c)
        || c == '\u{fffe}'
        || c == '\u{ffff}'
}

/// Escape text for HTML element content *and* attribute values (single or double quoted):
/// `&`, `<`, `>`, `"`, `'` become character references; control characters become U+FFFD.
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_forbidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape text for XML element content and attribute values. Like [`html`], and in
/// attributes newlines and tabs become character references so that they survive
/// attribute-value normalisation.
pub fn xml_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_forbidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape text for XML element content.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if is_forbidden(c) => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escape the message of a GitHub Actions workflow command: `%`, `\r`, `\n`.
pub fn github_message(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property value of a GitHub Actions workflow command: like
/// [`github_message`], plus `:` and `,`.
pub fn github_property(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a terminal: control characters (ANSI escapes a log line might carry, carriage
/// returns, tabs) are made visible as `\x1b`-style escapes so a log line cannot move the
/// cursor or change colours.
pub fn terminal(s: &str) -> String {
    if !s.chars().any(|c| c.is_control()) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let _ = write!(out, "\\x{:02x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for Markdown outside tables, as an inline code span.
pub fn markdown_code(s: &str) -> String {
    code_span(&terminal(&s.replace(['\n', '\r'], " ")))
}

fn code_span(s: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.is_empty() {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

/// Plain Markdown text (prose in cells and lists): characters with a Markdown or HTML
/// meaning are backslash-escaped.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let flat = terminal(&s.replace(['\n', '\r'], " "));
    if flat.starts_with(['#', '>', '-', '+', '=']) {
        // Would start a heading, quote, list or setext underline at the start of a line.
        out.push('\\');
    }
    for c in flat.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup_and_quotes() {
        assert_eq!(
            html(r#""><img src=x onerror='alert(1)'> & <script>"#),
            "&quot;&gt;&lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; &lt;script&gt;"
        );
        assert_eq!(html("a\u{1b}[31mb"), "a\u{fffd}[31mb");
    }

    #[test]
    fn xml_attr_keeps_newlines_as_references() {
        assert_eq!(xml_attr("a\nb<\"'"), "a&#10;b&lt;&quot;&apos;");
        assert_eq!(xml_text("x]]>y\u{0}"), "x]]&gt;y\u{fffd}");
    }

    #[test]
    fn github_escapes() {
        assert_eq!(github_message("100%\r\ndone"), "100%25%0D%0Adone");
        assert_eq!(github_property("a:b,c%"), "a%3Ab%2Cc%25");
    }

    #[test]
    fn terminal_neutralises_ansi() {
        assert_eq!(terminal("x\u{1b}[2Jy"), "x\\x1b[2Jy");
        assert_eq!(terminal("plain"), "plain");
    }

    #[test]
    fn markdown_escapes() {
        assert_eq!(markdown_code("`x`"), "`` `x` ``");
        assert_eq!(markdown_text("<b>*x*|"), "&lt;b&gt;\\*x\\*\\|");
        assert_eq!(markdown_text("# a #1"), "\\# a #1");
    }
}
