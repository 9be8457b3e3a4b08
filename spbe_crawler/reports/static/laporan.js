// Filters of the reports' tables, without any library. Loaded as a file (no inline script) so
// the pages can be served under a Content-Security-Policy. Without it every row stays visible.
(function () {
  'use strict';
  // Status chips: <div class="chips" data-target="ID" hidden> with <button data-status="a b|*">;
  // a row <tr data-status="x"> stays visible when x is among the pressed chip's statuses.
  document.querySelectorAll('.chips[data-target]').forEach(function (bar) {
    var rows = document.querySelectorAll('#' + bar.dataset.target + ' tbody tr');
    var shown = bar.parentElement.querySelector('.chip-count');
    bar.hidden = false;
    bar.addEventListener('click', function (event) {
      var chip = event.target.closest('button[data-status]');
      if (!chip) { return; }
      var wanted = chip.dataset.status === '*' ? null : chip.dataset.status.split(' ');
      var visible = 0;
      rows.forEach(function (row) {
        var keep = !wanted || wanted.indexOf(row.dataset.status) !== -1;
        row.hidden = !keep;
        visible += keep ? 1 : 0;
      });
      bar.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b === chip)); });
      if (shown) { shown.textContent = visible + ' dari ' + rows.length + ' unit ditampilkan'; }
    });
  });
  // Folded details print unfolded.
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
})();
