/* Kiosk mode (app/services/kiosk.py): a tablet at the counter that citizens
 * share. The thank-you page returns to a blank form after a few seconds; the
 * form starts again blank after a spell without a touch, so the next person
 * never sees the last one's answers. Nothing is kept on the tablet. */
(function () {
  'use strict';
  var thanks = document.getElementById('kiosk-thanks');
  if (thanks) {
    var back = thanks.getAttribute('data-kiosk-return');
    var seconds = parseInt(thanks.getAttribute('data-kiosk-seconds'), 10) || 8;
    window.setTimeout(function () { window.location.replace(back); }, seconds * 1000);
    return;
  }
  var form = document.getElementById('survey');
  if (!form || !form.hasAttribute('data-kiosk-idle')) return;
  var idle = (parseInt(form.getAttribute('data-kiosk-idle'), 10) || 90) * 1000;
  var blank = form.getAttribute('data-kiosk-blank');
  var timer = null;
  function restart() { window.location.replace(blank); }
  function touched() {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(restart, idle);
  }
  ['input', 'change', 'click', 'keydown', 'touchstart', 'scroll'].forEach(function (name) {
    document.addEventListener(name, touched, { passive: true });
  });
  touched();
}());
