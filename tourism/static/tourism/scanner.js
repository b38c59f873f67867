// The partner portal's in-page QR scanner (progressive enhancement): the page works without it (the
// phone's own camera opens a coupon's URL, or the code is typed); with a camera and jsQR it reads the
// QR code here. Only a coupon URL of this site is followed; anything else is put in the code field.
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !window.jsQR || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  box.hidden = false;

  var start = document.getElementById("scanner-start");
  var stop = document.getElementById("scanner-stop");
  var view = document.getElementById("scanner-view");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scanner-status");
  var input = document.getElementById("id_code");
  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null;
  var frame = null;

  function halt() {
    if (frame) cancelAnimationFrame(frame);
    frame = null;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    view.hidden = true;
    start.hidden = false;
  }

  function found(text) {
    halt();
    var url;
    try { url = new URL(text, window.location.href); } catch (error) { url = null; }
    if (url && url.origin === window.location.origin && /\/partner\/c\/[^/]+\/$/.test(url.pathname)) {
      window.location.assign(url.href);
      return;
    }
    input.value = text;
    input.form.submit();
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      if (code && code.data) {
        found(code.data);
        return;
      }
    }
    frame = requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        view.hidden = false;
        start.hidden = true;
        return video.play();
      })
      .then(function () { frame = requestAnimationFrame(tick); })
      .catch(function () {
        halt();
        status.textContent = box.dataset.denied;
        view.hidden = false;
      });
  });
  stop.addEventListener("click", halt);
})();
