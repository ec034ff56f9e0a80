// Copy buttons beside the credentials shown once; without JavaScript the fields are selectable.
document.querySelectorAll("button.copy").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    const field = document.getElementById(button.dataset.copy);
    navigator.clipboard.writeText(field.value).then(() => { button.textContent = "Copied"; });
  });
});
