"""Official documents: notices (通知書) issued on a case, Japanese dates, A4 HTML and PDF."""
