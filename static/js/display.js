/* Text size and contrast controls without a page reload.
 * Without JavaScript the links go to /hien-thi, which sets the same cookie. */
(function () {
  'use strict';
  var root = document.documentElement;
  var nav = document.querySelector('nav.display');
  if (!nav || !root.classList) return;
  var SIZES = ['sm', 'md', 'lg', 'xl'];

  function currentSize() {
    for (var i = 0; i < SIZES.length; i++) {
      if (root.classList.contains('size-' + SIZES[i])) return SIZES[i];
    }
    return 'md';
  }

  function setParam(link, name, value) {
    try {
      var url = new URL(link.href);
      url.searchParams.set(name, value);
      link.href = url.pathname + url.search;
    } catch (e) { /* keep the server's link */ }
  }

  function apply(size, contrast) {
    SIZES.forEach(function (s) { root.classList.toggle('size-' + s, s === size); });
    root.classList.toggle('contrast', contrast);
    var secure = location.protocol === 'https:' ? '; Secure' : '';
    document.cookie = 'ui=' + size + '.' + (contrast ? 'hc' : 'nc') +
      '; path=/; max-age=31536000; SameSite=Lax' + secure;
    // Keep the no-JS links right for a later middle-click or copy.
    var bigger = nav.querySelector('a[data-size="lg"]');
    if (bigger) setParam(bigger, 'size', size === 'lg' || size === 'xl' ? 'xl' : 'lg');
    var hc = nav.querySelector('a[data-contrast]');
    if (hc) {
      hc.setAttribute('aria-pressed', contrast ? 'true' : 'false');
      setParam(hc, 'contrast', contrast ? '0' : '1');
    }
  }

  function act(link) {
    var size = currentSize();
    var contrast = root.classList.contains('contrast');
    if (link.hasAttribute('data-contrast')) {
      contrast = !contrast;
    } else {
      var asked = link.getAttribute('data-size');
      // A+ steps md -> lg -> xl (and stays at xl).
      if (asked === 'lg') size = size === 'lg' || size === 'xl' ? 'xl' : 'lg';
      else if (SIZES.indexOf(asked) >= 0) size = asked;
    }
    apply(size, contrast);
  }

  var links = nav.querySelectorAll('a.ctl[data-size], a.ctl[data-contrast]');
  Array.prototype.forEach.call(links, function (link) {
    // With JavaScript these act in place, so they are buttons.
    link.setAttribute('role', 'button');
    link.addEventListener('click', function (ev) {
      if (ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.altKey || ev.button) return;
      ev.preventDefault();
      act(link);
    });
    link.addEventListener('keydown', function (ev) {
      if (ev.key === ' ' || ev.key === 'Spacebar') {
        ev.preventDefault();
        act(link);
      }
    });
  });
}());
