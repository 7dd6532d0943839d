"""Official notices (文书) of an application: 受理通知书, 补正材料告知书, 不予受理决定书, 准予 / 不予行政许可决定书
and the 告知承诺 approval, as PDFs with a verification code.

- `kinds.py`: which recorded transition issues which notice, and the notices' titles;
- `codes.py`: the verification code, derived from the hash of the transition's audit event;
- `issuing.py`: scheduling a notice when the workflow records its transition, and issuing it once;
- `wording.py`: what each notice says; `pdf.py`: the PDF with its QR code;
- `verification.py`: whether a code belongs to a genuine notice, and whether its decision still stands;
- `selectors.py`: who may read an application's notices; `views.py`, `urls.py`, `api.py`: the download
  views, the public verification page and the API.
"""
