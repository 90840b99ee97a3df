//! `ttx lsp` under a real editor: Debian's Neovim, headless, with its own LSP client. It
//! opens a scenario with a mistyped role, waits for the diagnostic, jumps to a definition,
//! puts the mistake right in the buffer and waits for the diagnostic to clear, then stops
//! the server the way Neovim does (`shutdown`, `exit`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{copy_tree, root};

fn neovim() -> Option<PathBuf> {
    let nvim = PathBuf::from("/usr/bin/nvim");
    if nvim.is_file() {
        return Some(nvim);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install neovim (.ci/run does)"
    );
    eprintln!("skipped: apt-get install neovim");
    None
}

/// A Lua string literal.
fn lua(s: &str) -> String {
    format!("{s:?}")
}

#[test]
fn neovim_shows_the_diagnostic_jumps_to_the_definition_and_sees_it_clear() {
    let Some(nvim) = neovim() else { return };
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lsp-neovim");
    let _ = std::fs::remove_dir_all(&dir);
    let acme = dir.join("examples/acme");
    std::fs::create_dir_all(&acme).unwrap();
    for file in ["ttx.yaml", "architecture.yaml", "roster.yaml"] {
        std::fs::copy(root().join("examples/acme").join(file), acme.join(file)).unwrap();
    }
    copy_tree(
        &root().join("examples/acme/runbooks"),
        &acme.join("runbooks"),
    );
    copy_tree(&root().join("scenarios"), &dir.join("scenarios"));
    let scenario = dir.join("scenarios/payments-credential-leak.yaml");
    let good = std::fs::read_to_string(&scenario).unwrap();
    let bad = good.replacen("to: [oncall]", "to: [oncal]", 1);
    std::fs::write(&scenario, &bad).unwrap();

    let line_of =
        |text: &str, needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let bad_line = line_of(&bad, "to: [oncal]");
    let fixed = good.lines().nth(bad_line - 1).unwrap().to_string();
    let after_line = line_of(&bad, "after: {inject: spike");
    let after_col = bad
        .lines()
        .nth(after_line - 1)
        .unwrap()
        .find("spike")
        .unwrap();
    let out = dir.join("neovim-said.txt");
    let script = dir.join("drive.lua");
    std::fs::write(
        &script,
        format!(
            r#"
local out = {{}}
local function say(s) table.insert(out, s) end
vim.cmd("edit " .. vim.fn.fnameescape({scenario}))
local buf = vim.api.nvim_get_current_buf()
local id = vim.lsp.start_client({{
  name = "ttx", cmd = {{ {ttx}, "lsp" }}, root_dir = {root},
  init_options = {{ debounce_ms = 0 }},
}})
vim.lsp.buf_attach_client(buf, id)
vim.wait(60000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  say(string.format("diagnostic %d:%d %s", d.lnum + 1, d.col + 1, (d.message:gsub("\n", " | "))))
end
vim.api.nvim_win_set_cursor(0, {{ {after_line}, {after_col} }})
local answers = vim.lsp.buf_request_sync(buf, "textDocument/definition", vim.lsp.util.make_position_params(), 30000)
for _, a in pairs(answers or {{}}) do
  for _, loc in ipairs(a.result or {{}}) do
    say(string.format("definition %d:%d", loc.range.start.line + 1, loc.range.start.character + 1))
  end
end
vim.api.nvim_buf_set_lines(buf, {bad_line} - 1, {bad_line}, false, {{ {fixed} }})
vim.wait(60000, function() return #vim.diagnostic.get(buf) == 0 end, 20)
say("after the fix: " .. #vim.diagnostic.get(buf) .. " diagnostics")
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.client_is_stopped(id) end, 20)
say("stopped: " .. tostring(vim.lsp.client_is_stopped(id)))
vim.fn.writefile(out, {out})
vim.cmd("qa!")
"#,
            scenario = lua(&scenario.display().to_string()),
            ttx = lua(env!("CARGO_BIN_EXE_ttx")),
            root = lua(&dir.display().to_string()),
            fixed = lua(&fixed),
            out = lua(&out.display().to_string()),
        ),
    )
    .unwrap();

    let mut child = Command::new(nvim)
        .args(["--headless", "-u", "NONE", "-i", "NONE", "-n", "-S"])
        .arg(&script)
        .env("HOME", &dir)
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + Duration::from_secs(180);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("neovim did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let said = std::fs::read_to_string(&out).unwrap_or_else(|_| {
        let mut err = String::new();
        use std::io::Read;
        let _ = child.stderr.take().unwrap().read_to_string(&mut err);
        panic!("neovim wrote nothing; stderr: {err}")
    });
    let lines: Vec<&str> = said.lines().collect();
    let oncal_col = bad
        .lines()
        .nth(bad_line - 1)
        .unwrap()
        .find("oncal")
        .unwrap()
        + 1;
    assert!(
        lines.contains(&format!("diagnostic {bad_line}:{oncal_col} undefined role `oncal` | help: did you mean `oncall`?").as_str()),
        "{said}"
    );
    let spike_def = line_of(&bad, "- id: spike");
    let spike_col = bad
        .lines()
        .nth(spike_def - 1)
        .unwrap()
        .find("spike")
        .unwrap()
        + 1;
    assert!(
        lines.contains(&format!("definition {spike_def}:{spike_col}").as_str()),
        "{said}"
    );
    assert!(lines.contains(&"after the fix: 0 diagnostics"), "{said}");
    assert!(lines.contains(&"stopped: true"), "{said}");
}
