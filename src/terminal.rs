//! The console on a terminal: line editing, history and tab completion (rustyline), output
//! printed above the prompt while the facilitator types, and colour unless `NO_COLOR`.

use std::sync::mpsc;

use anstyle::{AnsiColor, Style};
use rustyline::completion::Completer;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, ExternalPrinter, Helper};
use ttx_engine::exercise::command::Vocabulary;
use ttx_engine::exercise::event::{Event, Timed};

use crate::run_cmd::Input;

/// Completion by position, from the engine's vocabulary of the scenario and roster.
pub struct Completion(pub Vocabulary);

impl Completer for Completion {
    type Candidate = String;
    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok(self.0.complete(line, pos))
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
            // A transcript nobody reads any more (a closed pipe) is no reason to stop
            // an exercise: the journal is the record.
            Screen::Plain => {
                use std::io::Write;
                let _ = writeln!(std::io::stdout(), "{text}");
            }
            Screen::Terminal(printer, _) => {
                let _ = printer.print(format!("{text}\n"));
            }
        }
    }

    /// Prints a notice (a question due, a facilitator note), set apart from events.
    pub fn notice(&mut self, text: &str) {
        let style = match self {
            Screen::Terminal(_, true) => AnsiColor::Yellow.on_default(),
            _ => Style::new(),
        };
        self.say(&format!(
            "{}» {text}{}",
            style.render(),
            style.render_reset()
        ))
    }

    /// Prints one event, coloured by kind on a colour terminal (red herrings look like
    /// any other inject: the screen may be projected).
    pub fn event(&mut self, t: &Timed, text: &str) {
        let style = match (&t.event, &self) {
            (_, Screen::Plain) | (_, Screen::Terminal(_, false)) => Style::new(),
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

/// Starts the line editor on its own thread. Lines typed go to `lines`; the editor waits
/// for the next prompt on the returned sender before reading again, so the prompt shows
/// the clock as it is after the last command. The returned printer writes above the
/// prompt.
pub fn start(
    vocabulary: Vocabulary,
    lines: mpsc::Sender<Input>,
) -> Option<(mpsc::Sender<String>, Box<dyn ExternalPrinter + Send>)> {
    // List completion, as in a shell: Tab completes what all candidates share, a second
    // Tab lists them.
    let config = rustyline::Config::builder()
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor: Editor<Completion, DefaultHistory> = Editor::with_config(config).ok()?;
    editor.set_helper(Some(Completion(vocabulary)));
    let printer = editor.create_external_printer().ok()?;
    let (prompt_tx, prompts) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        while let Ok(prompt) = prompts.recv() {
            loop {
                match editor.readline(&prompt) {
                    Ok(line) => {
                        if !line.trim().is_empty() {
                            let _ = editor.add_history_entry(line.as_str());
                        }
                        if lines.send(Input::Line(line)).is_err() {
                            return;
                        }
                        break;
                    }
                    Err(rustyline::error::ReadlineError::Interrupted) => continue,
                    Err(_) => {
                        let _ = lines.send(Input::Closed);
                        return;
                    }
                }
            }
        }
    });
    Some((prompt_tx, Box::new(printer)))
}
