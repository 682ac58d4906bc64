/* The entry grid (录入表格): plain JavaScript, no library.
 *
 * Staff: arrows or Tab move between cells, Enter (or a double click) opens the cell's list of
 * allowed values, Enter saves, Escape cancels. A save is one POST of value + the version the
 * page showed; the server answers JSON: saved (the cell flashes), refused (the reason, old
 * value kept) or 409 when someone else changed the cell first (the user decides).
 * Leaders get the same page read-only: moving around and the history panel only.
 * A cell's history: its "⋯" link (shown on hover, on focus and always on touch screens), or H on a
 * focused cell (Enter too where the cell cannot be edited); the panel takes the focus, Escape or
 * 关闭 gives it back to the cell.
 */
(function () {
  "use strict";

  var grid = document.getElementById("grid");
  if (!grid) return;

  var editable = grid.dataset.editable === "1";
  var statusBox = document.getElementById("grid-status");
  var panel = document.getElementById("cell-history");
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var headers = Array.prototype.slice.call(grid.querySelectorAll("thead th[data-indicator]"));
  var rows = grid.tBodies[0] ? Array.prototype.slice.call(grid.tBodies[0].rows) : [];

  // Which count of the summary row a value goes to: the server's map (tables.StateCounts), not a copy.
  var keysScript = document.getElementById("grid-summary-keys");
  var SUMMARY_KEYS = keysScript ? JSON.parse(keysScript.textContent) : { words: {}, number: null };

  function summaryKey(value) {
    if (/^\d+$/.test(value)) return SUMMARY_KEYS.number;  // a typed number (cells.shown_count)
    return SUMMARY_KEYS.words[value] || null;
  }

  function cellAt(rowIndex, col) {
    var row = rows[rowIndex];
    return row ? row.querySelector('td.cell[data-col="' + col + '"]') : null;
  }

  function positionOf(td) {
    return { row: rows.indexOf(td.parentElement), col: Number(td.dataset.col) };
  }

  function focusCell(td) {
    if (td) td.focus();
  }

  function move(td, dRow, dCol) {
    var p = positionOf(td);
    focusCell(cellAt(p.row + dRow, p.col + dCol));
  }

  /* --- status line above the grid ------------------------------------------------------- */

  function showStatus(text, kind, actions) {
    statusBox.textContent = "";
    statusBox.className = "grid-status " + (kind || "info");
    var span = document.createElement("span");
    span.className = "grid-status-text";
    span.textContent = text;
    statusBox.appendChild(span);
    (actions || []).forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = action.label;
      button.addEventListener("click", action.run);
      statusBox.appendChild(button);
    });
    statusBox.hidden = false;
  }

  function clearStatus() {
    statusBox.hidden = true;
    statusBox.textContent = "";
  }

  /* --- cells ---------------------------------------------------------------------------- */

  function flash(td, name) {
    td.classList.remove("saved", "refused");
    void td.offsetWidth; // restart the animation
    td.classList.add(name);
    window.setTimeout(function () { td.classList.remove(name); }, 2500);
  }

  function adjustSummary(col, oldValue, newValue) {
    var cell = grid.querySelector('tfoot td.summary[data-col="' + col + '"]');
    if (!cell || oldValue === newValue) return;
    [[summaryKey(oldValue), -1], [summaryKey(newValue), 1]].forEach(function (pair) {
      var number = pair[0] && cell.querySelector('[data-key="' + pair[0] + '"] b');
      if (number) number.textContent = String(Number(number.textContent) + pair[1]);
    });
  }

  function setValue(td, value, version, data) {
    adjustSummary(td.dataset.col, td.dataset.value, value);
    td.dataset.value = value;
    td.dataset.version = String(version);
    td.querySelector(".cell-value").textContent = value;
    td.classList.toggle("pending", value === "*");
    if (data && data.status) setDue(td, data);
  }

  /* The cell's due mark (assessment.due, as the server computed it for the saved value). */
  function setDue(td, data) {
    if (td.dataset.status) td.classList.remove("due-" + td.dataset.status);
    td.dataset.status = data.status;
    td.classList.add("due-" + data.status);
    var mark = td.querySelector(".due-mark");
    if (!data.due_text) {
      if (mark) mark.remove();
      return;
    }
    if (!mark) {
      mark = document.createElement("span");
      mark.appendChild(document.createElement("span")).className = "visually-hidden";
      td.insertBefore(mark, td.firstChild);
    }
    mark.className = "due-mark due-" + data.status;
    mark.title = data.due_title;
    mark.firstChild.textContent = data.due_text;
  }

  function allowedFor(td) {
    var header = headers[Number(td.dataset.col)];
    return header && header.dataset.allowed ? header.dataset.allowed.split("|") : [];
  }

  function isEditable(td) {
    return editable && td && !td.classList.contains("readonly") && td.dataset.mark;
  }

  /* --- editing ---------------------------------------------------------------------------- */

  var editing = null; // { td, select }

  function startEdit(td) {
    if (!editable || editing) return;
    if (!isEditable(td)) return;
    var allowed = allowedFor(td);
    var select = document.createElement("select");
    select.className = "cell-editor";
    select.size = Math.max(2, allowed.length);
    select.setAttribute("aria-label", "选择新的值");
    allowed.forEach(function (value) {
      var option = document.createElement("option");
      option.value = value;
      option.textContent = value;
      option.selected = value === td.dataset.value;
      select.appendChild(option);
    });
    editing = { td: td, select: select };
    td.classList.add("editing");
    td.appendChild(select);
    select.focus();

    select.addEventListener("keydown", function (event) {
      event.stopPropagation();
      if (event.key === "Enter") {
        event.preventDefault();
        finishEdit(true);
      } else if (event.key === "Escape") {
        event.preventDefault();
        finishEdit(false);
      } else if (event.key === "Tab") {
        event.preventDefault();
        finishEdit(true);
        move(td, 0, event.shiftKey ? -1 : 1);
      }
    });
    select.addEventListener("click", function (event) {
      if (event.target.tagName === "OPTION" || select.value !== td.dataset.value) finishEdit(true);
    });
    select.addEventListener("blur", function () {
      if (editing && editing.select === select) finishEdit(false, true);
    });
  }

  function finishEdit(commit, keepFocus) {
    if (!editing) return;
    var td = editing.td;
    var select = editing.select;
    var value = select.value;
    editing = null; // first: removing the focused select fires its blur
    select.remove();
    td.classList.remove("editing");
    if (!keepFocus) td.focus();
    if (commit && value && value !== td.dataset.value) save(td, value);
  }

  /* --- saving ----------------------------------------------------------------------------- */

  function save(td, value) {
    var body = new FormData();
    body.append("value", value);
    body.append("version", td.dataset.version);
    var url = grid.dataset.saveUrl.replace(/0\/$/, td.dataset.mark + "/");
    td.classList.add("saving");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, Accept: "application/json" },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        return (json ? response.json() : Promise.resolve(null)).then(function (data) {
          return { response: response, data: data };
        });
      })
      .then(function (result) {
        td.classList.remove("saving");
        var response = result.response;
        var data = result.data;
        if (response.ok && data && data.ok) {
          setValue(td, data.value, data.version, data);
          td.classList.remove("conflict");
          flash(td, "saved");
          clearStatus();
        } else if (response.status === 409 && data) {
          conflict(td, value, data);
        } else if (data && data.error) {
          flash(td, "refused");
          showStatus(data.error, "error");
        } else if (response.status === 403) {
          flash(td, "refused");
          showStatus("您的账号只能查看，不能修改。", "error");
        } else if (response.redirected || response.status === 404) {
          flash(td, "refused");
          showStatus("未保存：登录已过期或该单元格已不存在，请刷新页面。", "error");
        } else {
          flash(td, "refused");
          showStatus("未保存：服务器错误（" + response.status + "），请稍后重试。", "error");
        }
      })
      .catch(function () {
        td.classList.remove("saving");
        flash(td, "refused");
        showStatus("未保存：网络连接失败，请稍后重试。", "error");
      });
  }

  function conflict(td, mine, data) {
    td.classList.add("conflict");
    flash(td, "refused");
    showStatus(data.error, "error", [
      {
        label: "采用对方的值“" + data.value + "”",
        run: function () {
          setValue(td, data.value, data.version, data);
          td.classList.remove("conflict");
          clearStatus();
          td.focus();
        },
      },
      {
        label: "仍改为“" + mine + "”",
        run: function () {
          setValue(td, data.value, data.version, data);
          td.classList.remove("conflict");
          clearStatus();
          td.focus();
          save(td, mine);
        },
      },
    ]);
  }

  /* --- history panel ---------------------------------------------------------------------- */

  var historyOf = null; // the cell whose history the panel shows: the focus goes back to it

  function showHistory(link) {
    historyOf = link.closest("td.cell");
    fetch(link.href + (link.href.indexOf("?") < 0 ? "?" : "&") + "partial=1", { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        panel.querySelector(".cell-history-body").innerHTML = html; // rendered and escaped by the server
        panel.hidden = false;
        panel.focus();
      })
      .catch(function () {
        window.location.href = link.href;
      });
  }

  function closeHistory() {
    panel.hidden = true;
    if (historyOf) historyOf.focus();
    historyOf = null;
  }

  function historyLinkOf(td) {
    return td.querySelector("a.cell-history");
  }

  if (panel) {
    panel.querySelector(".cell-history-close").addEventListener("click", closeHistory);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeHistory();
      }
    });
  }

  /* --- events ----------------------------------------------------------------------------- */

  var KEYS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

  grid.addEventListener("keydown", function (event) {
    var td = event.target;
    if (!td.matches || !td.matches("td.cell")) return;
    if (KEYS[event.key]) {
      event.preventDefault();
      move(td, KEYS[event.key][0], KEYS[event.key][1]);
    } else if ((event.key === "h" || event.key === "H") && historyLinkOf(td) && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      showHistory(historyLinkOf(td));
    } else if (event.key === "Enter" && !isEditable(td) && historyLinkOf(td)) {
      event.preventDefault();
      showHistory(historyLinkOf(td));
    } else if (event.key === "Enter" || event.key === "F2") {
      event.preventDefault();
      startEdit(td);
    } else if (event.key === "Escape") {
      clearStatus();
    }
  });

  grid.addEventListener("dblclick", function (event) {
    var td = event.target.closest && event.target.closest("td.cell");
    if (td && !event.target.closest("select")) startEdit(td);
  });

  grid.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.cell-history");
    if (link) {
      event.preventDefault();
      showHistory(link);
    }
  });

  /* --- bulk form: the values of the chosen column; ticking a row means "selected rows" ----- */

  var bulkIndicator = document.getElementById("bulk-indicator");
  var bulkValue = document.getElementById("bulk-value");
  if (bulkIndicator && bulkValue) {
    var syncValues = function () {
      var option = bulkIndicator.options[bulkIndicator.selectedIndex];
      var allowed = option ? option.dataset.allowed.split("|") : [];
      var firstAllowed = null;
      Array.prototype.forEach.call(bulkValue.options, function (o) {
        var ok = allowed.indexOf(o.value) >= 0;
        o.hidden = !ok;
        o.disabled = !ok;
        if (ok && firstAllowed === null) firstAllowed = o;
      });
      var current = bulkValue.options[bulkValue.selectedIndex];
      if ((!current || current.disabled) && firstAllowed) firstAllowed.selected = true;
    };
    bulkIndicator.addEventListener("change", syncValues);
    syncValues();
  }

  var selectAll = document.getElementById("select-all");
  var selectedScope = document.getElementById("bulk-selected");
  var rowBoxes = grid.querySelectorAll('tbody input[name="unit"]');
  if (selectAll) {
    selectAll.addEventListener("change", function () {
      Array.prototype.forEach.call(rowBoxes, function (box) { box.checked = selectAll.checked; });
      if (selectAll.checked && selectedScope) selectedScope.checked = true;
    });
  }
  Array.prototype.forEach.call(rowBoxes, function (box) {
    box.addEventListener("change", function () {
      if (box.checked && selectedScope) selectedScope.checked = true;
    });
  });
})();
