// Small enhancements; every page works without them.
document.querySelectorAll('[data-vzl-print]').forEach((button) => {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
});
