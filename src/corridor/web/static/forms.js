// Select boxes marked data-autosubmit submit their form on change (the language switch, list filters).
// A script file rather than onchange="...": the Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
