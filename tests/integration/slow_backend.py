"""An e-mail backend that takes its time, so a test can kill the worker in the middle of a send.

It sleeps SLOW_EMAIL_SECONDS before writing the message file, like the file-based backend.
"""

import os
import time

from django.core.mail.backends.filebased import EmailBackend as FileBasedBackend


class EmailBackend(FileBasedBackend):
    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("SLOW_EMAIL_SECONDS", "0")))
        return super().send_messages(email_messages)
