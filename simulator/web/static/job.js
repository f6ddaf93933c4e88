// The job page: poll the run's status until it has finished or stopped, then show it.
(function () {
  const job = document.getElementById("job");
  const bar = document.getElementById("progress");
  const words = document.getElementById("progress-words");
  function clock(seconds) {
    return seconds < 60 ? Math.round(seconds) + " s" : Math.round(seconds / 60) + " min";
  }
  function poll() {
    fetch(job.dataset.status).then((r) => r.json()).then((status) => {
      if (status.state === "finished" || status.state === "failed") {
        window.location.reload();
        return;
      }
      bar.max = status.total || 1;
      bar.value = status.done;
      let text = status.done + " of " + (status.total || "?") + " simulated Match years";
      if (status.seconds_left !== null) text += ", about " + clock(status.seconds_left) + " left";
      words.textContent = text;
      setTimeout(poll, 400);
    }).catch(() => setTimeout(poll, 1000));
  }
  poll();
})();
