//! Rendering through untrusted minijinja templates: strict, fuelled, bounded.

use minijinja::{Environment, UndefinedBehavior, Value};
use serde::Serialize;

use super::{Format, HTML_TEMPLATE, MAX_OUTPUT_BYTES, MD_TEMPLATE, Report, TEMPLATE_FUEL, csv};

/// The stylesheet the report, the dashboard and the publication share.
pub const STYLESHEET: &str = include_str!("../../../../reports/ttx.css");
/// Its name for `{% include %}`.
pub const STYLESHEET_NAME: &str = "ttx.css";

/// A template that failed, with the template's name and line.
#[derive(Debug, thiserror::Error)]
#[error("{name}{}: {message}", if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct TemplateError {
    /// The template file.
    pub name: String,
    /// 1-based line; 0 when no one line is to blame (the template's own text, repeated
    /// past the output bound), and then it is not shown.
    pub line: usize,
    /// What went wrong.
    pub message: String,
}

/// Renders a report. `template` overrides the default template of `md` or `html` with
/// (file name, text); it is untrusted: strict undefined variables, fuel, output bounded,
/// HTML auto-escaped.
pub fn render(
    report: &Report,
    format: Format,
    template: Option<(&str, &str)>,
) -> Result<String, TemplateError> {
    let shown = report.shown();
    let report = shown.as_ref();
    match format {
        Format::Json => Ok(serde_json::to_string_pretty(report).unwrap_or_default() + "\n"),
        Format::Csv => Ok(csv(report)),
        Format::Md | Format::Html => {
            let (default_name, default_text) = match format {
                Format::Md => ("report.md.j2", MD_TEMPLATE),
                _ => ("report.html.j2", HTML_TEMPLATE),
            };
            let (name, text) = template.unwrap_or((default_name, default_text));
            render_template(name, text, report, format == Format::Html)
        }
    }
}

/// Renders an untrusted template against a context: strict undefined variables, fuel,
/// output bounded to [`MAX_OUTPUT_BYTES`], HTML auto-escaped when `html`. Used for
/// reports, the program dashboard and publications.
pub fn render_template<S: Serialize>(
    name: &str,
    text: &str,
    context: &S,
    html: bool,
) -> Result<String, TemplateError> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(TEMPLATE_FUEL));
    env.set_auto_escape_callback(move |_| {
        if html {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    // Every value printed is counted against the output bound as it is printed, so the
    // error names the line that printed past it (issue 27: the bound was checked after
    // rendering and the error said line 0).
    let printed = std::sync::atomic::AtomicUsize::new(0);
    env.set_formatter(move |out, state, value| {
        let size = value
            .as_str()
            .map_or_else(|| value.to_string().len(), str::len);
        let before = printed.fetch_add(size, std::sync::atomic::Ordering::Relaxed);
        if before.saturating_add(size) > MAX_OUTPUT_BYTES {
            return Err(too_large());
        }
        if html || value.is_safe() || value.as_str().is_none() {
            return minijinja::escape_formatter(out, state, value);
        }
        // Markdown viewers render HTML: text from journals and scenarios must not carry a
        // tag (`<script>`) into the page. Every value a Markdown template prints has its
        // `<` written as `&lt;` (values marked safe are the template's own).
        let text = value.as_str().unwrap_or_default();
        out.write_str(&text.replace('<', "&lt;"))
            .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
    });
    env.add_filter("cell", |v: String| {
        v.replace('|', "\\|")
            .replace('\n', " ")
            .replace('<', "&lt;")
    });
    env.add_filter("code", inline_code);
    let fail = |e: minijinja::Error| TemplateError {
        name: e.name().unwrap_or(name).to_string(),
        line: e.line().unwrap_or(0),
        message: e.to_string(),
    };
    // The shared stylesheet, for `{% include "ttx.css" %}`: the one template a template
    // may include (there is no loader, so no file can be).
    env.add_template(STYLESHEET_NAME, STYLESHEET)
        .map_err(fail)?;
    env.add_template_owned(name.to_string(), text.to_string())
        .map_err(fail)?;
    // The template's own text repeated in a loop is not a printed value: the whole
    // output is bounded too, as it is written.
    let mut out = Bounded(Vec::new());
    let rendered = env
        .get_template(name)
        .map_err(fail)?
        .render_captured_to(Value::from(minijinja::value::Serde(context)), &mut out);
    match rendered {
        Ok(_) => Ok(String::from_utf8_lossy(&out.0).into_owned()),
        Err(_) if out.0.len() >= MAX_OUTPUT_BYTES => Err(TemplateError {
            name: name.to_string(),
            line: 0,
            message: format!(
                "{} (the template's own text, repeated)",
                too_large().detail().unwrap_or_default()
            ),
        }),
        Err(e) => Err(fail(e)),
    }
}

fn too_large() -> minijinja::Error {
    minijinja::Error::new(
        minijinja::ErrorKind::InvalidOperation,
        format!("the output is larger than {MAX_OUTPUT_BYTES} bytes"),
    )
}

/// The output of a render, refusing to grow past [`MAX_OUTPUT_BYTES`].
struct Bounded(Vec<u8>);

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + buf.len() > MAX_OUTPUT_BYTES {
            let room = MAX_OUTPUT_BYTES - self.0.len();
            self.0.extend_from_slice(&buf[..room]);
            return Err(std::io::Error::other("the output is too large"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The `code` filter of the HTML templates: the text escaped, with `backticked` spans as
/// `<code>` (the findings name decisions and injects that way). Unpaired backticks stay.
fn inline_code(text: String) -> Value {
    let escaped = minijinja::HtmlEscape(&text).to_string();
    if escaped.matches('`').count() % 2 == 1 {
        return Value::from_safe_string(escaped);
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (n, part) in escaped.split('`').enumerate() {
        if n > 0 {
            out.push_str(if n % 2 == 1 { "<code>" } else { "</code>" });
        }
        out.push_str(part);
    }
    Value::from_safe_string(out)
}
