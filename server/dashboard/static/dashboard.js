// microscout dashboard: copy buttons, select-all, confirmations and the training progress bar.
// Plain script, no library; every page works without it except the live progress bar.
"use strict";

function copyText(target) {
  const text = "value" in target && target.tagName !== "BUTTON" ? target.value : target.textContent;
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  // http://127.0.0.1 without a secure context: fall back to selecting and copying
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

function setupCopy() {
  for (const button of document.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => {
      const target = document.querySelector(button.dataset.copy);
      if (!target) return;
      const label = button.textContent;
      copyText(target).then(
        () => { button.textContent = "Copied"; },
        () => { button.textContent = "Select and copy by hand"; if (target.select) target.select(); },
      ).finally(() => setTimeout(() => { button.textContent = label; }, 1600));
    });
  }
}

function setupSelectAll() {
  const all = document.querySelector("[data-select-all]");
  const boxes = [...document.querySelectorAll('input[type=checkbox][name=creator]')];
  const counter = document.querySelector("[data-selected-count]");
  const update = () => {
    const n = boxes.filter((b) => b.checked).length;
    if (counter) counter.textContent = n ? `${n} selected` : "";
    if (all) {
      all.checked = n > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    }
  };
  if (all) all.addEventListener("change", () => { boxes.forEach((b) => { b.checked = all.checked; }); update(); });
  boxes.forEach((b) => b.addEventListener("change", update));
  update();
}

function setupConfirm() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

function csrfToken(form) {
  const field = form.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

function poll(box, jobId) {
  const bar = box.querySelector("progress");
  const state = box.querySelector("[data-job-state]");
  const url = box.dataset.jobUrl.replace("JOB", encodeURIComponent(jobId));
  box.hidden = false;
  box.dataset.job = jobId;
  const tick = () => {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => {
        if (!response.ok) throw new Error(`the server answered ${response.status}`);
        return response.json();
      })
      .then((job) => {
        bar.value = typeof job.progress === "number" ? job.progress : 0;
        box.dataset.state = job.state;
        state.textContent = `${job.state}${job.message ? `: ${job.message}` : ""}`;
        if (job.state === "done" || job.state === "failed") {
          if (job.state === "done") bar.value = 1;
          const here = new URL(window.location.href);
          if (here.searchParams.get("job") !== jobId) {  // show the new version in the table
            here.searchParams.set("job", jobId);
            setTimeout(() => window.location.assign(here.toString()), 900);
          }
          return;
        }
        setTimeout(tick, 600);
      })
      .catch((error) => {
        state.textContent = `cannot read the job's progress (${error.message}); retrying`;
        setTimeout(tick, 2000);
      });
  };
  tick();
}

function setupTraining() {
  for (const box of document.querySelectorAll("[data-train]")) {
    const progress = box.querySelector(".progress");
    const form = box.querySelector("[data-train-form]");
    if (progress.dataset.job) poll(progress, progress.dataset.job);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      progress.hidden = false;
      progress.querySelector("[data-job-state]").textContent = "starting…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken(form) },
        credentials: "same-origin",
      })
        .then((response) => response.json().then((body) => ({ response, body })))
        .then(({ response, body }) => {
          if (!response.ok) throw new Error(body.error ? body.error.message : `status ${response.status}`);
          poll(progress, body.job);
        })
        .catch((error) => {
          progress.querySelector("[data-job-state]").textContent = `not started: ${error.message}`;
          button.disabled = false;
        });
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupCopy();
  setupSelectAll();
  setupConfirm();
  setupTraining();
});
