// The steward's door: read a member's QR code with the phone's camera (the browser's
// BarcodeDetector) and check them in at once; without it, the code is typed in the same field.
// After each check-in the field empties and keeps the focus, ready for the next person.
(() => {
  const PAUSE_MS = 1500; // the same QR code held in front of the camera is read once
  let stream = null;
  let lastValue = "";
  let lastAt = 0;

  function ready() {
    const form = document.getElementById("door-form");
    if (!form) return;
    const input = document.getElementById("door-code");
    const button = document.getElementById("door-scan");
    const video = document.getElementById("door-video");
    form.addEventListener("htmx:afterRequest", () => {
      input.value = "";
      if (!stream) input.focus();
    });
    if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return; // typing only
    button.hidden = false;
    button.addEventListener("click", () => (stream ? stop(button, video) : start(form, input, button, video)));
  }

  async function start(form, input, button, video) {
    let detector;
    try {
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      stream = null;
      button.hidden = true; // no camera allowed: the field stays
      return;
    }
    video.srcObject = stream;
    video.hidden = false;
    button.setAttribute("aria-pressed", "true");
    await video.play();
    const look = async () => {
      if (!stream) return;
      try {
        const found = await detector.detect(video);
        const value = found.length ? found[0].rawValue : "";
        const now = Date.now();
        if (value && (value !== lastValue || now - lastAt > PAUSE_MS * 2)) {
          lastValue = value;
          lastAt = now;
          input.value = value;
          form.requestSubmit();
          setTimeout(look, PAUSE_MS);
          return;
        }
      } catch (error) {
        // a frame the detector could not read: try the next one
      }
      setTimeout(look, 200);
    };
    look();
  }

  function stop(button, video) {
    for (const track of stream.getTracks()) track.stop();
    stream = null;
    video.hidden = true;
    video.srcObject = null;
    button.setAttribute("aria-pressed", "false");
  }

  document.addEventListener("DOMContentLoaded", ready);
})();
