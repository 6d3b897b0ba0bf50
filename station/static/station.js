// The station's pages: the room's live part refreshed in place (a file being picked
// stays picked), the overlay zoomed by a click, and the keyboard flow of the sheet page.
"use strict";

const LIVE_READING_MS = 1500;
const LIVE_IDLE_MS = 10000;

function refreshLive() {
  const live = document.getElementById("live");
  if (!live) return;
  const wait = live.hasAttribute("data-reading") ? LIVE_READING_MS : LIVE_IDLE_MS;
  setTimeout(async () => {
    try {
      const response = await fetch(live.dataset.live, { credentials: "same-origin" });
      if (response.ok) {
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
        const part = fresh.getElementById("live");
        if (part) live.replaceWith(part);
      }
    } finally {
      refreshLive();
    }
  }, wait);
}

function zoomOverlays() {
  for (const image of document.querySelectorAll("img.overlay")) {
    image.addEventListener("click", () => image.classList.toggle("zoomed"));
  }
}

function typing(target) {
  return ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
}

function keyboardFlow() {
  const focus = document.querySelector("[data-focus]");
  if (focus) focus.focus();
  document.addEventListener("keydown", (event) => {
    if (typing(event.target) || event.ctrlKey || event.altKey || event.metaKey) return;
    const link = { n: "next-waiting", p: "slip" }[event.key.toLowerCase()];
    const target = link && document.getElementById(link);
    if (target) {
      event.preventDefault();
      target.click();
    }
  });
}

function backLinks() {
  for (const link of document.querySelectorAll("[data-back]")) {
    link.addEventListener("click", (event) => {
      if (history.length > 1) {
        event.preventDefault();
        history.back();
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  refreshLive();
  backLinks();
  zoomOverlays();
  keyboardFlow();
});
