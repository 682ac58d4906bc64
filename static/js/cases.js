/* Case pages (奖惩案例): quarter follows the event date until chosen by hand; select all in the review queue. */
(function () {
  "use strict";
  var date = document.getElementById("id_event_date");
  var quarter = document.getElementById("id_quarter");
  if (date && quarter) {
    var chosenByHand = quarter.value !== "";
    quarter.addEventListener("change", function () { chosenByHand = quarter.value !== ""; });
    date.addEventListener("change", function () {
      var month = parseInt((date.value || "").split("-")[1], 10);
      if (!chosenByHand && month >= 1 && month <= 12) {
        quarter.value = String(Math.floor((month - 1) / 3) + 1);
      }
    });
  }
  document.querySelectorAll(".select-all").forEach(function (box) {
    box.addEventListener("change", function () {
      box.closest("table").querySelectorAll('input[name="cases"]:not(:disabled)').forEach(function (c) {
        c.checked = box.checked;
      });
    });
  });
  document.querySelectorAll(".review-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var n = form.querySelectorAll('input[name="cases"]:checked').length;
      var action = form.querySelector('input[name="action"]:checked');
      if (n && action && !window.confirm("确定" + (action.value === "accept" ? "采用" : "退回") + "选中的 " + n + " 个案例吗？")) {
        event.preventDefault();
      }
    });
  });
})();
