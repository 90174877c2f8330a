// The steward's door: read a member's QR code with the phone's camera and check them in at
// once; without a camera, the code is typed in the same field. After each check-in the field
// empties and keeps the focus, ready for the next person.
//
// The browser's own BarcodeDetector reads the code where it has one (Chrome on Android,
// Safari on macOS). Elsewhere (iOS Safari, Firefox, desktop Linux) the vendored
// barcode-detector polyfill (ZXing compiled to WebAssembly) is loaded from this site, only
// when the steward presses "scan": the ~450 KB decoder never weighs on the page itself.
(() => {
  const LOOK_MS = 150; // between two looks at the camera
  const PAUSE_MS = 800; // after a read, while the page answers
  const GONE_MS = 1200; // the same code is read again only once it left the camera this long
  let stream = null;
  let lastValue = "";
  let lastSeenAt = 0;

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
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return; // typing only
    button.hidden = false;
    button.addEventListener("click", () => (stream ? stop(button, video) : start(form, input, button, video)));
  }

  async function nativeDetector() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes("qr_code") ? new window.BarcodeDetector({ formats: ["qr_code"] }) : null;
    } catch (error) {
      return null; // an API without a decoder behind it (desktop Linux)
    }
  }

  async function vendoredDetector(button) {
    const scanner = await import(button.dataset.scanner);
    const wasm = button.dataset.wasm;
    // the decoder comes from this site, never from the library's default CDN
    const locateFile = (path, prefix) => (path.endsWith(".wasm") ? wasm : prefix + path);
    await scanner.prepareZXingModule({ overrides: { locateFile }, fireImmediately: true });
    return new scanner.BarcodeDetector({ formats: ["qr_code"] });
  }

  async function start(form, input, button, video) {
    let detector;
    button.setAttribute("aria-busy", "true");
    try {
      detector = (await nativeDetector()) || (await vendoredDetector(button));
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch (error) {
      stream = null;
      button.hidden = true; // no camera allowed, or no decoder: the field stays
      input.focus();
      return;
    } finally {
      button.removeAttribute("aria-busy");
    }
    video.srcObject = stream;
    video.hidden = false;
    button.setAttribute("aria-pressed", "true");
    await video.play();
    const look = async () => {
      if (!stream) return;
      let wait = LOOK_MS;
      try {
        const found = await detector.detect(video);
        const value = found.length ? found[0].rawValue : "";
        const now = Date.now();
        if (value && (value !== lastValue || now - lastSeenAt > GONE_MS)) {
          input.value = value;
          form.requestSubmit();
          wait = PAUSE_MS;
        }
        if (value) {
          lastValue = value;
          lastSeenAt = now; // held in front of the camera: read once
        }
      } catch (error) {
        // a frame the detector could not read: try the next one
      }
      setTimeout(look, wait);
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
