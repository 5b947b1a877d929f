"""Log streams: every entry of an account delivered to where its security team looks."""
