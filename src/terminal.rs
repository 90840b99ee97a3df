//! The console on a terminal: line editing, history and tab completion (rustyline), output
//! printed above the prompt while the facilitator types, and colour unless `NO_COLOR`.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use anstyle::{AnsiColor, Style};
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, ExternalPrinter, Helper};
use ttx_engine::exercise::event::{Event, Timed};

/// Words the console completes: commands first, then ids of the scenario.
pub struct Completion {
    /// Command names.
    pub commands: Vec<String>,
    /// Role, decision and inject ids, and option words.
    pub words: Vec<String>,
}

impl Completer for Completion {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let start = line[..pos].rfind([' ', ',', '=']).map_or(0, |i| i + 1);
        let word = &line[start..pos];
        let pool = if start == 0 {
            &self.commands
        } else {
            &self.words
        };
        Ok((
            start,
            pool.iter()
                .filter(|w| w.starts_with(word))
                .cloned()
                .collect(),
        ))
    }
}

impl Hinter for Completion {
    type Hint = String;
}
impl Highlighter for Completion {}
impl Validator for Completion {}
impl Helper for Completion {}

/// Where console output goes.
pub enum Screen {
    /// Plain standard output (a pipe).
    Plain,
    /// Above the prompt of the line editor, coloured or not.
    Terminal(Box<dyn ExternalPrinter + Send>, bool),
}

impl Screen {
    /// Prints one line.
    pub fn say(&mut self, text: &str) {
        match self {
            Screen::Plain => println!("{text}"),
            Screen::Terminal(printer, _) => {
                let _ = printer.print(format!("{text}\n"));
            }
        }
    }

    /// Prints one event, coloured by kind on a colour terminal.
    pub fn event(&mut self, t: &Timed, text: &str) {
        let style = match (&t.event, &self) {
            (_, Screen::Plain) | (_, Screen::Terminal(_, false)) => Style::new(),
            (
                Event::Deliver {
                    red_herring: true, ..
                },
                _,
            ) => AnsiColor::Yellow.on_default().bold(),
            (Event::Deliver { .. } | Event::AdHocInject { .. }, _) => {
                AnsiColor::Cyan.on_default().bold()
            }
            (Event::Decision { .. } | Event::Notify { .. }, _) => AnsiColor::Green.on_default(),
            (Event::Reveal { .. }, _) => AnsiColor::Magenta.on_default().bold(),
            (Event::ScriptError { .. }, _) => AnsiColor::Red.on_default().bold(),
            (Event::Draw { .. } | Event::Print { .. }, _) => Style::new().dimmed(),
            _ => Style::new(),
        };
        self.say(&format!("{}{text}{}", style.render(), style.render_reset()))
    }
}

/// Starts the line editor on its own thread: lines typed arrive on the receiver, and the
/// returned printer writes above the prompt. `prompt` is read before each line.
pub fn start(
    completion: Completion,
    prompt: Arc<Mutex<String>>,
) -> Option<(mpsc::Receiver<String>, Box<dyn ExternalPrinter + Send>)> {
    let mut editor: Editor<Completion, DefaultHistory> = Editor::new().ok()?;
    editor.set_helper(Some(completion));
    let printer = editor.create_external_printer().ok()?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        loop {
            let text = prompt
                .lock()
                .map(|p| p.clone())
                .unwrap_or_else(|_| "ttx> ".into());
            match editor.readline(&text) {
                Ok(line) => {
                    if !line.trim().is_empty() {
                        let _ = editor.add_history_entry(line.as_str());
                    }
                    if tx.send(line).is_err() {
                        break;
                    }
                }
                Err(rustyline::error::ReadlineError::Interrupted) => continue,
                Err(_) => break,
            }
        }
    });
    Some((rx, Box::new(printer)))
}
