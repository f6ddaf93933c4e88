"""What a run says of its progress: a bar redrawn on a terminal, one line in a log."""

from __future__ import annotations

import io

from simulator.report.progress import TrialProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_gets_one_line_saying_how_many_trials_are_left():
    log = io.StringIO()
    progress = TrialProgress("me", "", log)
    progress.begin(40, 0)
    progress.advance(20)
    progress.end()
    assert log.getvalue() == "me: 40 trials to run\n"
    resumed = io.StringIO()
    progress = TrialProgress("me", "", resumed)
    progress.begin(40, 10)
    progress.end()
    assert resumed.getvalue() == "me: 30 trials to run (10 kept from before)\n"


def test_a_terminal_gets_a_bar_redrawn_in_place():
    terminal = Terminal()
    progress = TrialProgress("me", "", terminal)
    progress.begin(4, 0)
    progress.advance(4)
    progress.end()
    frames = terminal.getvalue().split("\r")[1:]
    assert frames[0].startswith("me: trials  [") and frames[0].endswith("]  0/4")
    assert frames[-1].startswith("me: trials  [" + "#" * 36 + "]  4/4")
    assert terminal.getvalue().endswith("\n")


def test_a_bar_without_a_label_starts_with_trials():
    terminal = Terminal()
    TrialProgress(stream=terminal).begin(2, 0)
    assert terminal.getvalue() == "\rtrials  [" + "-" * 36 + "]  0/2"


def test_a_log_without_a_label_starts_with_the_count():
    log = io.StringIO()
    TrialProgress(stream=log).begin(3, 1)
    assert log.getvalue() == "2 trials to run (1 kept from before)\n"
