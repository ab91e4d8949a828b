//! Renderers: text, Markdown, JSON, HTML, JUnit, GitHub.
