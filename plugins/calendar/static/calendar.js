// Progressive enhancement: a "复制链接" button beside each feed address (works without it too).
document.querySelectorAll("input[data-copy]").forEach(function (input) {
  var button = document.createElement("button");
  button.type = "button";
  button.className = "button secondary";
  button.textContent = input.dataset.copy;
  button.addEventListener("click", function () {
    input.select();
    var done = function () { button.textContent = input.dataset.copied; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  });
  input.insertAdjacentElement("afterend", button);
});
