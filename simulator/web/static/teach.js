// The teaching page: the rounds of the Match's algorithm, one at a time, and why.
(function () {
  const data = JSON.parse(document.getElementById("lesson-data").textContent);
  const byApplicants = data.proposing === "applicants";
  const rounds = data.rounds;
  let step = 0; // 0: before the first round; rounds.length: the result
  let timer = null;

  function ordinal(n) {
    const tail = n % 100 >= 11 && n % 100 <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
    return n + tail;
  }
  function choice(n, who) { return n ? who + "'s " + ordinal(n) + " choice" : "not on " + who + "'s list"; }
  function words(e) {
    const a = e.applicant, p = e.program;
    if (e.kind === "withdraw") return a + " withdraws from " + p; // a couple's partner, a PGY-1 year
    if (byApplicants) {
      if (e.kind === "propose") return a + " applies to " + p + " (" + choice(e.applicant_choice, a) + ")";
      if (e.kind === "hold") return p + " holds " + a + " for now (" + choice(e.program_choice, p) + ")";
      return e.displaced ? p + " lets " + a + " go for an applicant it ranks higher"
                         : p + " turns " + a + " down (" + choice(e.program_choice, p) + ")";
    }
    if (e.kind === "propose") return p + " offers " + a + " a position (" + choice(e.program_choice, p) + ")";
    if (e.kind === "hold") return a + " holds " + p + "'s offer for now (" + choice(e.applicant_choice, a) + ")";
    return e.displaced ? a + " drops " + p + " for a program they rank higher"
                       : a + " turns " + p + " down (" + choice(e.applicant_choice, a) + ")";
  }
  function held(upTo) {
    // Tentative matches after `upTo` rounds: program -> applicants, in the program's order.
    const holds = {};
    for (const p in data.programs) holds[p] = [];
    for (const round of rounds.slice(0, upTo)) {
      for (const e of round.events) {
        if (e.kind === "hold" && !holds[e.program].includes(e.applicant)) holds[e.program].push(e.applicant);
        if ((e.kind === "reject" && e.displaced) || e.kind === "withdraw") holds[e.program] = holds[e.program].filter((x) => x !== e.applicant);
      }
    }
    for (const p in holds) {
      const order = data.programs[p].ranks;
      holds[p].sort((x, y) => order.indexOf(x) - order.indexOf(y));
    }
    return holds;
  }
  function cell(row, text, cls) {
    const td = row.insertCell();
    td.textContent = text;
    if (cls) td.className = cls;
  }
  function draw() {
    const last = step === rounds.length;
    const label = document.getElementById("round-label");
    label.textContent = step === 0 ? "before the first round" :
      "round " + step + " of " + rounds.length + (last ? ": the final result" : "");
    const events = document.getElementById("events");
    events.replaceChildren();
    for (const e of step > 0 ? rounds[step - 1].events : []) {
      const li = document.createElement("li");
      li.className = e.kind;
      li.textContent = words(e);
      events.appendChild(li);
    }
    const holds = held(step);
    const board = document.getElementById("board");
    board.replaceChildren();
    for (const p in data.programs) {
      const row = board.insertRow();
      if (last) row.className = "final";
      cell(row, p + " (" + data.programs[p].positions + ")");
      const open = data.programs[p].positions - holds[p].length;
      cell(row, holds[p].join(", ") + (open > 0 ? (holds[p].length ? ", " : "") + open + " open" : ""), open > 0 && !holds[p].length ? "open" : "");
    }
    const where = {};
    for (const p in holds) for (const a of holds[p]) where[a] = where[a] ? where[a] + " + " + p : p;
    const people = document.getElementById("people");
    people.replaceChildren();
    for (const a in data.applicants) {
      const row = people.insertRow();
      if (last) row.className = "final";
      cell(row, a);
      cell(row, where[a] ? (last ? "matched to " : "held by ") + where[a] : (last ? "unmatched" : "—"));
    }
    document.getElementById("previous").disabled = step === 0;
    document.getElementById("next").disabled = last;
  }
  function go(to) { step = Math.max(0, Math.min(rounds.length, to)); draw(); }
  document.getElementById("first").onclick = () => go(0);
  document.getElementById("previous").onclick = () => go(step - 1);
  document.getElementById("next").onclick = () => go(step + 1);
  document.getElementById("play").onclick = () => {
    if (timer) { clearInterval(timer); timer = null; return; }
    if (step === rounds.length) go(0);
    timer = setInterval(() => {
      if (step >= rounds.length) { clearInterval(timer); timer = null; return; }
      go(step + 1);
    }, 1200);
  };
  const whyName = document.getElementById("why-name");
  const why = () => { document.getElementById("why").textContent = data.why[whyName.value]; };
  whyName.onchange = why;
  why();
  draw();
})();
