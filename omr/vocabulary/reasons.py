"""The reason registry: every code the library, the CLI or the station can give.

Each :class:`Reason` is declared once, with its :class:`Severity`, a Romanian message
for people (pages, slips, minutes) and an English one for logs and the CLI. Messages
name their details as ``str.format`` placeholders (``{found}``, ``{error_mm:.2f}``); a
:class:`Problem` carries a code and those details, and renders either message. The
Romanian message may leave out a detail that is only English text (a system error).
``omr reasons`` lists the registry; ``docs/reading-format.md``'s table is made from it.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from omr.vocabulary.states import PageStatus

Language = Literal["ro", "en"]


class Severity(StrEnum):
    """What a reason does to the page or the action it is given for."""

    REJECT = "reject"  # the page is refused: nothing of it is read
    REVIEW = "review"  # the page is read but held until a person looks at it
    WARN = "warn"  # the page is read and can be final; a person is told
    ERROR = "error"  # bad input or a refused action: nothing is done


class Reason(StrEnum):
    """Every reason code, with its severity and its two messages."""

    severity: Severity
    message_ro: str
    message_en: str

    def __new__(cls, code: str, severity: Severity, message_ro: str, message_en: str) -> Reason:
        member = str.__new__(cls, code)
        member._value_ = code
        member.severity = severity
        member.message_ro = message_ro
        member.message_en = message_en
        return member

    def message(self, details: Mapping[str, Any], language: Language = "en") -> str:
        """This reason's message in ``language`` with ``details`` filled in."""
        template = self.message_ro if language == "ro" else self.message_en
        return _FORMATTER.format(template, **details)

    def placeholders(self, language: Language = "en") -> set[str]:
        """The details a message names."""
        template = self.message_ro if language == "ro" else self.message_en
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    # --- a file or page that cannot be decoded (ingest) -----------------------------
    FILE_MISSING = (
        "file_missing",
        Severity.REJECT,
        "fișierul nu poate fi citit",
        "the file cannot be read ({error})",
    )
    FILE_EMPTY = (
        "file_empty",
        Severity.REJECT,
        "fișierul este gol (0 octeți)",
        "the file is empty (0 bytes)",
    )
    FILE_TYPE_UNSUPPORTED = (
        "file_type_unsupported",
        Severity.REJECT,
        "fișierul nu este o imagine PNG, JPEG, TIFF sau un PDF",
        "not a PNG, JPEG, TIFF or PDF file",
    )
    FILE_CORRUPT = (
        "file_corrupt",
        Severity.REJECT,
        "pagina {page} nu poate fi decodată: fișierul este deteriorat sau trunchiat",
        "page {page} cannot be decoded ({error})",
    )
    IMAGE_TOO_LARGE = (
        "image_too_large",
        Severity.REJECT,
        "imaginea are {size}; peste {limit_mp} megapixeli nu se citește",
        "the image is {size}; more than {limit_mp} megapixels is refused",
    )
    IMAGE_TOO_LONG = (
        "image_too_long",
        Severity.REJECT,
        "pagina {page} are {size}; o latură de peste {limit} px nu este a unei foi scanate",
        "page {page} is {size}; a side over {limit} px is no scanned sheet",
    )
    IMAGE_TOO_SMALL = (
        "image_too_small",
        Severity.REJECT,
        "pagina {page} are {size}; o foaie scanată are cel puțin {minimum} px pe latura mică",
        "page {page} is {size}; a scanned sheet has at least {minimum} px on its short side",
    )
    PAGES_TOO_MANY = (
        "pages_too_many",
        Severity.REJECT,
        "fișierul are {pages} pagini sau mai multe; dintr-un fișier se citesc cel mult {limit}: "
        "împărțiți-l",
        "the file has {pages} pages or more; at most {limit} are read from one file: split it",
    )
    PDF_UNSUPPORTED = (
        "pdf_unsupported",
        Severity.REJECT,
        "stația nu poate deschide PDF-uri: lipsește pdftoppm (pachetul poppler-utils)",
        "poppler-utils (pdftoppm) is not installed",
    )
    PDF_NO_PAGES = (
        "pdf_no_pages",
        Severity.REJECT,
        "PDF-ul nu are nicio pagină",
        "the PDF has no pages",
    )
    PDF_ENCRYPTED = (
        "pdf_encrypted",
        Severity.REJECT,
        "PDF-ul este criptat; scanați fără parolă",
        "the PDF is encrypted; scan without a password",
    )
    DUPLICATE_FILE = (
        "duplicate_file",
        Severity.REJECT,
        "același fișier a fost deja citit, ca {first}",
        "the same file was already read as {first}",
    )
    READ_FAILED = (
        "read_failed",
        Severity.REJECT,
        "cititorul nu a putut citi pagina; scanați-o din nou",
        "the reader failed on this page ({error})",
    )
    # --- registration: where the page lies on the scan --------------------------------
    SHEET_NOT_RECOGNISED = (
        "sheet_not_recognised",
        Severity.REJECT,
        "pe pagină nu se găsesc marcajele niciunei foi cunoscute",
        "no registration marks of a known sheet were found on the page",
    )
    MARKERS_NOT_FOUND = (
        "markers_not_found",
        Severity.REJECT,
        "s-au găsit doar {found} din cele {expected} marcaje de colț, prea puține pentru a "
        "așeza pagina, nici cu ajutorul bulelor tipărite; un colț poate fi rupt, îndoit sau în "
        "afara scanării",
        "only {found} of {expected} corner markers were found, too few to place the page even "
        "with the printed bubbles; a corner may be torn, folded or outside the scan",
    )
    REGISTRATION_MARKS_NOT_FOUND = (
        "registration_marks_not_found",
        Severity.REJECT,
        "s-au găsit doar {found} din cele {expected} blocuri tipărite ale formularului, iar "
        "citirea are nevoie de {needed}: pagina este alta sau blocurile sunt rupte, acoperite "
        "ori în afara scanării",
        "only {found} of the form's {expected} printed blocks were found, and reading needs "
        "{needed}: the page is another, or its blocks are torn, covered or outside the scan",
    )
    WRONG_TEMPLATE = (
        "wrong_template",
        Severity.REJECT,
        "pagina nu este o foaie {template}: doar {found} din cele {expected} marcaje ale ei "
        "sunt la locul lor",
        "the page is not a {template} sheet: only {found} of its {expected} registration "
        "marks are in place",
    )
    ORIENTATION_UNKNOWN = (
        "orientation_unknown",
        Severity.REJECT,
        "blocurile tipărite au fost găsite, dar nu se poate spune unde este partea de sus a "
        "paginii: alt formular sau semne pe margine",
        "the printed blocks were found but the page's top cannot be told from its bottom: "
        "another form or layout, or marks in the margin",
    )
    REGISTRATION_INACCURATE = (
        "registration_inaccurate",
        Severity.REJECT,
        "marcajele și bulele tipărite nu se potrivesc ({detail_ro}): foaia nu stă plan sau "
        "nu este tipărită după acest șablon; îndreptați foaia și scanați din nou, iar dacă "
        "se repetă, verificați șablonul",
        "the registration marks and the printed bubbles do not agree ({detail_en}): the "
        "sheet is not flat, or not printed to this template; flatten it and rescan, and if "
        "it happens again, check the template",
    )
    # --- identity: QR code, candidate number, variant ---------------------------------
    QR_UNREADABLE = (
        "qr_unreadable",
        Severity.REVIEW,
        "codul QR nu poate fi citit; verificați identitatea foii de mână",
        "the QR code cannot be read; check the sheet's identity by hand",
    )
    QR_INVALID = (
        "qr_invalid",
        Severity.REJECT,
        "codul QR nu este identitatea unei foi de examen",
        "the QR code is not a sheet identity ({text})",
    )
    QR_OTHER_TEMPLATE = (
        "qr_other_template",
        Severity.REJECT,
        "codul QR spune modelul {printed}, se aștepta {template}",
        "the QR says template {printed}, expected {template}",
    )
    TEMPLATE_VERSION_OTHER = (
        "template_version_other",
        Severity.REJECT,
        "foaia a fost tipărită după versiunea {printed} a modelului {template}; stația "
        "citește versiunea {expected}",
        "the sheet was printed from version {printed} of {template}; the station reads "
        "version {expected}",
    )
    QR_WRONG_EXAM = (
        "qr_wrong_exam",
        Severity.REJECT,
        "foaia aparține examenului {printed}, nu examenului {exam}",
        "the sheet belongs to exam {printed}, not {exam}",
    )
    QR_BAD_SIGNATURE = (
        "qr_bad_signature",
        Severity.REJECT,
        "semnătura codului QR nu corespunde acestui examen: foaie fotocopiată, falsificată "
        "sau tipărită pentru alt examen",
        "the QR code's signature does not match this exam: photocopied, forged or printed "
        "for another exam",
    )
    DUPLICATE_SERIAL = (
        "duplicate_serial",
        Severity.REJECT,
        "foaia cu seria {serial:06d} a fost deja citită din {earlier}: o fotocopie sau a "
        "doua scanare",
        "sheet serial {serial:06d} was already read from {earlier}: a photocopy or a second scan",
    )
    CANDIDATE_NUMBER_UNCLEAR = (
        "candidate_number_unclear",
        Severity.REVIEW,
        "cifra {position} a numărului candidatului nu are exact o bulă marcată",
        "digit {position} of the candidate number is not exactly one filled bubble",
    )
    CANDIDATE_CONFLICT = (
        "candidate_conflict",
        Severity.REVIEW,
        "numărul candidatului marcat ({bubbled}) diferă de cel tipărit ({printed})",
        "the bubbled candidate number {bubbled} differs from the printed {printed}",
    )
    VARIANT_UNCLEAR = (
        "variant_unclear",
        Severity.REVIEW,
        "bulele tipului de grilă nu arată exact o bulă marcată",
        "the grid type bubbles do not show exactly one filled bubble",
    )
    VARIANT_CONFLICT = (
        "variant_conflict",
        Severity.REVIEW,
        "tipul de grilă {found} ({where_ro}) diferă de {expected}",
        "the grid type {found} ({where_en}) differs from {expected}",
    )
    CODED_FIELD_MISSING = (
        "coded_field_missing",
        Severity.REVIEW,
        "pătratele tipărite ale câmpului {field} lipsesc (marcate: {inked}): șterse, rupte "
        "sau în afara scanării",
        "the printed {field} squares are missing (inked: {inked}): scratched out, torn or "
        "outside the scan",
    )
    CODED_FIELD_CONFLICT = (
        "coded_field_conflict",
        Severity.REVIEW,
        "pătratele tipărite ale câmpului {field} ({inked}) nu formează un singur cod: s-a "
        "desenat un pătrat peste formular",
        "the printed {field} squares {inked} match no single {field}: a square was drawn "
        "over the form",
    )
    # --- marks: what a bubble's doubt is ----------------------------------------------
    BUBBLES_UNCLEAR = (
        "bubbles_unclear",
        Severity.REVIEW,
        "{count} bule așteaptă o decizie: {bubbles}",
        "{count} bubble(s) need a decision: {bubbles}",
    )
    PARTIAL_FILL = (
        "partial_fill",
        Severity.REVIEW,
        "bulă umplută parțial sau slab",
        "a partial or light fill",
    )
    FAINT_FILL = (
        "faint_fill",
        Severity.REVIEW,
        "bulă umplută mult mai slab decât celelalte de pe foaie",
        "a fill much fainter than the sheet's other fills",
    )
    X_OVER_EMPTY = (
        "x_over_empty",
        Severity.REVIEW,
        "un X peste o bulă goală",
        "an X over an empty bubble",
    )
    POSSIBLE_CROSS = (
        "possible_cross",
        Severity.REVIEW,
        "bulă marcată cu urme care ar putea fi un X",
        "a filled bubble with strokes that may be an X",
    )
    SMUDGE = (
        "smudge",
        Severity.REVIEW,
        "pată sau urmă ștearsă în bulă",
        "a smudge or an erasure in the bubble",
    )
    OUTLINE_TRACED = (
        "outline_traced",
        Severity.REVIEW,
        "conturul bulei a fost trasat cu pixul",
        "the bubble's outline was traced over with the pen",
    )
    # --- whole-page checks ------------------------------------------------------------
    BLANK_PAGE = (
        "blank_page",
        Severity.REJECT,
        "pagina este albă (sau s-a scanat spatele foii)",
        "the page is blank (or the back of a sheet was scanned)",
    )
    IMAGE_BLURRED = (
        "image_blurred",
        Severity.REJECT,
        "scanarea este prea neclară pentru a fi citită; scanați din nou",
        "the scan is too blurred to read (sharpness {sharpness:.0f}); rescan it",
    )
    SCANNER_STREAK = (
        "scanner_streak",
        Severity.WARN,
        "dungă verticală de la scaner la {x_share:.0%} din lățime, de la stânga (praf pe geam), "
        "corectată la citire: curățați geamul",
        "a vertical streak from the scanner {x_share:.0%} of the width from the left (dust on "
        "the glass), corrected for reading: clean the glass",
    )
    SCAN_THRESHOLDED = (
        "scan_thresholded",
        Severity.REJECT,
        "scanare alb-negru cu prag: liniile subțiri ale pixului (X, bife) și urmele deschise se "
        "pierd, iar foaia nu poate fi citită sigur; setați scanerul pe gri sau color și scanați "
        "din nou",
        "a black-and-white scan made by a threshold: a pen's thin lines (X's, ticks) and light "
        "marks are lost, and the sheet cannot be read with confidence; set the scanner to gray "
        "or colour and scan again",
    )
    SCAN_COARSE = (
        "scan_coarse",
        Severity.WARN,
        "scanare la circa {dpi} dpi, rezoluție sub 150 dpi: liniile subțiri trase peste bule "
        "pline (X, bife) se pot pierde; setați scanerul la 200 dpi",
        "scanned at about {dpi} dpi, under 150 dpi: thin lines drawn over filled bubbles (X's, "
        "ticks) may be lost; set the scanner to 200 dpi",
    )
    SCAN_SOFT = (
        "scan_soft",
        Severity.WARN,
        "scanare neclară (marginile tipăriturii estompate, σ circa {blur_mm:.2f} mm): liniile "
        "subțiri trase peste bule pline (X, bife) se pot pierde; verificați scanerul (geamul, "
        "claritatea) și scanați din nou",
        "a soft scan (the print's edges spread, σ about {blur_mm:.2f} mm): thin lines drawn over "
        "filled bubbles (X's, ticks) may be lost; check the scanner (its glass, its focus) and "
        "rescan",
    )
    INK_COLOUR = (
        "ink_colour",
        Severity.WARN,
        "marcajele par {colour_ro}, examenul cere cerneală {required_ro}: posibil semn distinctiv",
        "the marks look {colour}, the exam requires {required} ink: possible distinctive sign",
    )
    INK_NOT_CHECKED = (
        "ink_not_checked",
        Severity.WARN,
        "scanare alb-negru: culoarea cernelii nu a fost verificată",
        "grayscale scan: ink colour not checked",
    )
    STRAY_MARK = (
        "stray_mark",
        Severity.WARN,
        "cerneală în afara zonelor de răspuns și de identificare, lângă ({x_mm:.0f}, "
        "{y_mm:.0f}) mm: posibil semn distinctiv",
        "ink outside the answer and identity zones near ({x_mm:.0f}, {y_mm:.0f}) mm: "
        "possible distinctive mark",
    )
    STRAY_MARKS_NOT_CHECKED = (
        "stray_marks_not_checked",
        Severity.WARN,
        "semnele în afara zonelor se verifică doar pe scanări color ale foilor tipărite în "
        "culoare de eliminare",
        "stray marks are checked on colour scans of sheets printed in drop-out colour only",
    )
    CALIBRATION_FAILED = (
        "calibration_failed",
        Severity.ERROR,
        "foaia de calibrare nu poate da un profil: {detail_ro}",
        "the calibration sheet cannot give a profile: {detail_en}",
    )
    # --- the sheet model: templates, calibration profiles, candidate lists, secrets ---
    TEMPLATE_NOT_FOUND = (
        "template_not_found",
        Severity.ERROR,
        "{file}: fișierul modelului de foaie nu există",
        "{file}: no such template file",
    )
    TEMPLATE_UNREADABLE = (
        "template_unreadable",
        Severity.ERROR,
        "{file}: fișierul modelului de foaie nu poate fi citit",
        "{file}: cannot read: {error}",
    )
    TEMPLATE_SYNTAX = (
        "template_syntax",
        Severity.ERROR,
        "{file}: modelul de foaie nu este YAML valid",
        "{file}: YAML syntax error: {error}",
    )
    TEMPLATE_INVALID = (
        "template_invalid",
        Severity.ERROR,
        "{file}: modelul de foaie nu este valid",
        "{file}: not a valid template: {problem}",
    )
    CALIBRATION_UNREADABLE = (
        "calibration_unreadable",
        Severity.ERROR,
        "{file}: profilul de calibrare nu poate fi citit",
        "{file}: cannot read the calibration ({error})",
    )
    CALIBRATION_INVALID = (
        "calibration_invalid",
        Severity.ERROR,
        "{file}: profilul de calibrare nu este valid",
        "{file}: not a valid calibration profile: {problem}",
    )
    CANDIDATES_NOT_FOUND = (
        "candidates_not_found",
        Severity.ERROR,
        "{file}: fișierul cu lista candidaților nu există",
        "{file}: no such candidates file",
    )
    CANDIDATES_INVALID = (
        "candidates_invalid",
        Severity.ERROR,
        "{file}: lista candidaților nu este un fișier CSV în codificarea UTF-8",
        "{file}: not a UTF-8 CSV file ({error})",
    )
    CANDIDATES_COLUMNS_MISSING = (
        "candidates_columns_missing",
        Severity.ERROR,
        "{file}: lipsesc coloanele {missing}; antetul trebuie să numească {required} (și, "
        "opțional, room)",
        "{file}: column(s) {missing} missing; the header must name {required} (and optionally "
        "room)",
    )
    CANDIDATE_ROW_INVALID = (
        "candidate_row_invalid",
        Severity.ERROR,
        "{file}, linia {line}: coloana number trebuie să conțină doar cifre, iar coloana name "
        "nu poate fi goală",
        "{file}, line {line}: column number must be digits and name non-empty",
    )
    CANDIDATE_LISTED_TWICE = (
        "candidate_listed_twice",
        Severity.ERROR,
        "{file}, linia {line}: candidatul {number} apare de două ori (prima dată pe linia "
        "{first_line})",
        "{file}, line {line}: column number: candidate {number} is listed twice (first on line "
        "{first_line})",
    )
    SECRET_UNREADABLE = (
        "secret_unreadable",
        Severity.ERROR,
        "{file}: secretul examenului nu poate fi citit sau fișierul este gol",
        "{file}: cannot read the exam secret ({error})",
    )
    # --- templates made from forms printed by others (omr template) -------------------
    PDF_TOOLS_MISSING = (
        "pdf_tools_missing",
        Severity.ERROR,
        "lipsește programul {tool} (pachetul poppler-utils): formularul PDF nu poate fi măsurat",
        "{tool} (poppler-utils) is not installed: the form's PDF cannot be measured",
    )
    FORM_PDF_UNREADABLE = (
        "form_pdf_unreadable",
        Severity.ERROR,
        "{file}: formularul PDF nu poate fi deschis sau nu are pagina cerută",
        "{file}: the form's PDF cannot be read ({error})",
    )
    FORM_BUBBLES_NOT_FOUND = (
        "form_bubbles_not_found",
        Severity.ERROR,
        "{file}: pe pagină nu s-au găsit bule tipărite (cercuri, elipse sau casete, "
        "rotunjite sau nu, de aceeași mărime, cel puțin {needed})",
        "{file}: no printed bubbles were found on the page (circles, ellipses or boxes, "
        "rounded or not, of one size, at least {needed})",
    )
    FORM_MARKS_NOT_FOUND = (
        "form_marks_not_found",
        Severity.ERROR,
        "{file}: formularul tipărește {found} blocuri pline de înregistrare; un model are "
        "nevoie de cel puțin {needed}",
        "{file}: the form prints {found} solid registration blocks; a template needs at "
        "least {needed}",
    )
    FORM_OPTIONS_RUN_DOWN = (
        "form_options_run_down",
        Severity.ERROR,
        "{file}: literele opțiunilor sunt tipărite rând cu rând (A pe un rând, B pe "
        "următorul): opțiunile fiecărei întrebări merg în jos pe o coloană, iar un model "
        "le știe doar de la stânga la dreapta",
        "{file}: the option letters are printed row by row (A on one row, B on the next): "
        "each question's options run down a column, and a template knows them only left "
        "to right",
    )
    FORM_ORIENTATION_UNDECIDABLE = (
        "form_orientation_undecidable",
        Severity.ERROR,
        "{file}: blocurile de înregistrare arată la fel întoarse cu 180° și nimic tipărit "
        "(numere de întrebări, bule) nu are în fața lui hârtie goală: o pagină întoarsă nu "
        "ar putea fi deosebită; un model are nevoie de orientation_boxes alese de mână",
        "{file}: the registration blocks look the same turned by 180° and no print "
        "(question numbers, bubbles) faces blank paper: a page turned over could not be "
        "told apart; a template needs orientation_boxes chosen by hand",
    )
    OMRCHECKER_TEMPLATE_INVALID = (
        "omrchecker_template_invalid",
        Severity.ERROR,
        "{file}: nu este un șablon OMRChecker care poate fi citit ({problem})",
        "{file}: not a readable OMRChecker template ({problem})",
    )
    OMRCHECKER_SCAN_NEEDED = (
        "omrchecker_scan_needed",
        Severity.ERROR,
        "{file}: șablonul OMRChecker nu numește marcajele de înregistrare ale formularului; "
        "dați o scanare a formularului cu --image, pe care să fie măsurate",
        "{file}: the OMRChecker template names none of the form's registration marks; give "
        "a scan of the form with --image to measure them on",
    )
    FORM_SCAN_UNREADABLE = (
        "form_scan_unreadable",
        Severity.ERROR,
        "{file}: scanarea formularului nu poate fi citită ca imagine",
        "{file}: the form's scan cannot be read as an image",
    )
    # --- scoring: exam profiles, keys, readings and results files ---------------------
    PROFILE_NOT_FOUND = (
        "profile_not_found",
        Severity.ERROR,
        "nu există profilul de examen „{profile}” (profiluri cunoscute: {known})",
        "no exam profile '{profile}' (known profiles: {known})",
    )
    PROFILE_INVALID = (
        "profile_invalid",
        Severity.ERROR,
        "{file}: profilul de examen nu este valid",
        "{file}: not a valid exam profile: {problem}",
    )
    KEY_NOT_FOUND = (
        "key_not_found",
        Severity.ERROR,
        "fișierul grilei {file} nu există",
        "no key file {file}",
    )
    KEY_INVALID = (
        "key_invalid",
        Severity.ERROR,
        "{source}: cheie invalidă",
        "{source}: not a valid key: {problem}",
    )
    KEY_PROFILE_MISSING = (
        "key_profile_missing",
        Severity.ERROR,
        "{file}: o grilă CSV nu își numește profilul de examen; dați-l cu --profile",
        "{file}: a CSV key does not name its profile; pass --profile",
    )
    KEY_PROFILE_MISMATCH = (
        "key_profile_mismatch",
        Severity.ERROR,
        "grila este pentru profilul „{found}”, nu pentru „{expected}”",
        "the key is for profile '{found}', not '{expected}'",
    )
    KEY_QUESTION_UNKNOWN = (
        "key_question_unknown",
        Severity.ERROR,
        "varianta {variant}: examenul nu are întrebarea {question} (are întrebările 1–{count})",
        "variant {variant}: the exam has no question {question} (it has 1-{count})",
    )
    KEY_ANNULLED_UNKNOWN = (
        "key_annulled_unknown",
        Severity.ERROR,
        "varianta {variant}: întrebările anulate {questions} nu sunt în grilă (examenul are "
        "întrebările 1–{count})",
        "variant {variant}: the annulled question(s) {questions} are not in the key (the exam "
        "has 1-{count})",
    )
    KEY_QUESTION_MISSING = (
        "key_question_missing",
        Severity.ERROR,
        "varianta {variant}: lipsesc din grilă răspunsurile la întrebările {questions} ({count} în "
        "total)",
        "variant {variant}: the key misses {count} question(s): {questions}",
    )
    KEY_LETTER_COUNT = (
        "key_letter_count",
        Severity.ERROR,
        "varianta {variant}, întrebarea {question} ({type}): numărul de litere din grilă este "
        "{given}, tipul acesta cere {wanted}",
        "variant {variant}, question {question} ({type}): the key gives {given} letter(s), this "
        "type needs {wanted}",
    )
    KEY_LETTER_UNKNOWN = (
        "key_letter_unknown",
        Severity.ERROR,
        "{where_ro}: „{text}” {problem_ro}",
        "{where}: {text!r} {problem}",
    )
    KEY_PERMUTATION_INVALID = (
        "key_permutation_invalid",
        Severity.ERROR,
        "varianta {variant}: {problem_ro}",
        "variant {variant}: {problem}",
    )
    KEY_NOT_SUCCESSOR = (
        "key_not_successor",
        Severity.ERROR,
        "versiunea {new} a grilei ({new_stage}) nu o înlocuiește pe versiunea {old} ({old_stage})",
        "key version {new} ({new_stage}) does not supersede version {old} ({old_stage})",
    )
    VARIANT_MISSING = (
        "variant_missing",
        Severity.ERROR,
        "foaia nu are variantă, iar grila are {count} variante",
        "the sheet carries no variant and the key has {count} variants",
    )
    VARIANT_WITHOUT_KEY = (
        "variant_without_key",
        Severity.ERROR,
        "grila nu are varianta „{variant}” (are {known})",
        "no key for variant {variant!r} (the key has {known})",
    )
    READING_NOT_FOUND = (
        "reading_not_found",
        Severity.ERROR,
        "fișierul de citiri {file} nu există",
        "no readings (omr.reading/1) file {file}",
    )
    READING_INVALID = (
        "reading_invalid",
        Severity.ERROR,
        "{file}: nu este un fișier de citiri omr.reading/1",
        "{file}: not a readings (omr.reading/1) document: {problem}",
    )
    TEMPLATE_MISMATCH = (
        "template_mismatch",
        Severity.ERROR,
        "{file}: o citire a modelului „{template}”; profilul {profile} corectează doar {templates}",
        "{file}: a reading of template {template!r}; profile {profile} scores {templates}",
    )
    READING_QUESTION_UNKNOWN = (
        "reading_question_unknown",
        Severity.ERROR,
        "{file}: întrebarea {question} nu există în profilul de examen {profile}",
        "{file}: question {question} is not in exam profile {profile}",
    )
    READING_OPTION_UNKNOWN = (
        "reading_option_unknown",
        Severity.ERROR,
        "{file}: întrebarea {question} are opțiunile {found}, profilul are {options}",
        "{file}: question {question} has options {found}, the profile has {options}",
    )
    READING_INCOMPLETE = (
        "reading_incomplete",
        Severity.ERROR,
        "{file}: citirea nu are toate întrebările: lipsesc {count}, prima fiind {first}",
        "{file}: the reading misses {count} question(s), first {first}",
    )
    DECISION_UNKNOWN_BUBBLE = (
        "decision_unknown_bubble",
        Severity.ERROR,
        "o decizie numește bula {bubble}, pe care foaia nu o are",
        "a decision names bubble {bubble}, which the sheet does not have",
    )
    DIFF_SHEETS_DIFFER = (
        "diff_sheets_differ",
        Severity.ERROR,
        "cele două corectări nu sunt ale acelorași foi",
        "the two scorings are not of the same sheets",
    )
    RESULTS_NOT_FOUND = (
        "results_not_found",
        Severity.ERROR,
        "fișierul de rezultate {file} nu există",
        "no results file {file}",
    )
    RESULTS_INVALID = (
        "results_invalid",
        Severity.ERROR,
        "{file}: nu este un fișier de rezultate",
        "{file}: not a results document: {problem}",
    )
    OUTSIDE_WINDOW = (
        "outside_window",
        Severity.ERROR,
        "{what} se primește între {start} și {end}; a fost depusă la {moment}",
        "{what} is accepted from {start} to {end}; it was filed at {moment}",
    )
    LATE_IGNORED = (
        "late_ignored",
        Severity.ERROR,
        "{what} depusă după termen nu se ia în considerare: regulamentul nu permite excepții",
        "{what} filed late is not considered: the rules allow no exception",
    )
    OUTSIDE_RESOLVING_WINDOW = (
        "outside_resolving_window",
        Severity.ERROR,
        "{what} se rezolvă între {start} și {end}; acum este {moment}",
        "{what} is resolved from {start} to {end}; it is now {moment}",
    )
    # --- the committee's rules: contestations, rescans, rankings, item analysis -------
    DECISION_INVALID = (
        "decision_invalid",
        Severity.ERROR,
        "decizie nevalidă: {problem_ro}",
        "invalid decision: {problem}",
    )
    CONTESTATION_UNKNOWN_QUESTION = (
        "contestation_unknown_question",
        Severity.ERROR,
        "grila nu are întrebarea {question} în varianta {variant}",
        "the key has no question {question} in variant {variant}",
    )
    KEY_ALL_ANNULLED = (
        "key_all_annulled",
        Severity.ERROR,
        "deciziile ar anula toate întrebările",
        "the decisions would annul every question",
    )
    RESCAN_UNREADABLE = (
        "rescan_unreadable",
        Severity.ERROR,
        "rescanarea nu a putut fi citită: {why_ro}",
        "the rescan could not be read ({codes})",
    )
    RESCAN_MISMATCH = (
        "rescan_mismatch",
        Severity.ERROR,
        "rescanarea nu este aceeași foaie: {field_ro} {found} în loc de {expected}",
        "the rescan is not the same sheet: {field} {found} instead of {expected}",
    )
    RESULTS_EXAM_MISMATCH = (
        "results_exam_mismatch",
        Severity.ERROR,
        "rezultatele unor examene sau profiluri de examen diferite nu pot fi reunite: {values}",
        "results of different {what} cannot be merged: {values}",
    )
    RESULTS_KEY_MISMATCH = (
        "results_key_mismatch",
        Severity.ERROR,
        "rezultatele corectate cu grile diferite nu pot fi reunite: {values}; corectați-le din "
        "nou cu grila finală",
        "results of different keys cannot be merged: {values}",
    )
    RESULTS_MIXED_DOMAINS = (
        "results_mixed_domains",
        Severity.ERROR,
        "rezultatele cuprind mai multe domenii ({domains}): clasați fiecare domeniu separat "
        "(--domain)",
        "the results hold several domains ({domains}): rank each one (--domain)",
    )
    # --- the command line ---------------------------------------------------------------
    OUTPUT_CONFLICT = (
        "output_conflict",
        Severity.ERROR,
        "doar una dintre ieșiri poate merge la ieșirea standard („-”)",
        "only one output may go to standard output",
    )
    DIFF_WITHOUT_PREVIOUS_KEY = (
        "diff_without_previous_key",
        Severity.ERROR,
        "--diff cere și --previous-key",
        "--diff needs --previous-key",
    )
    RESULTS_EMPTY = (
        "results_empty",
        Severity.ERROR,
        "fișierele de rezultate nu conțin nicio foaie",
        "the results files hold no sheet",
    )
    COUNT_INVALID = (
        "count_invalid",
        Severity.ERROR,
        "{option} trebuie să fie cel puțin {minimum}",
        "{option} must be at least {minimum}",
    )
    COUNT_TOO_LARGE = (
        "count_too_large",
        Severity.ERROR,
        "{option}: {count} foi; într-un PDF se tipăresc cel mult {limit}: împărțiți tirajul "
        "în mai multe fișiere (--serial-start)",
        "{option}: {count} sheets; at most {limit} are printed in one PDF: split the run "
        "into several files (--serial-start)",
    )
    VARIANT_INVALID = (
        "variant_invalid",
        Severity.ERROR,
        "--variant „{variant}”: modelul {template} acceptă doar variantele: {options}",
        "--variant {variant!r}: template {template} accepts only the variants: {options}",
    )
    OUTPUT_INVALID = (
        "output_invalid",
        Severity.ERROR,
        "{directory}: directorul nu există",
        "{directory}: no such directory",
    )
    OUTPUT_IS_FOLDER = (
        "output_is_folder",
        Severity.ERROR,
        "{path} este un director; dați numele unui fișier",
        "{path} is a directory; give a file name",
    )
    OUTPUT_UNWRITABLE = (
        "output_unwritable",
        Severity.ERROR,
        "{path} nu poate fi scris (disc plin sau fără drept de scriere)",
        "{path} cannot be written ({error})",
    )
    IDENTITY_FIELD_INVALID = (
        "identity_field_invalid",
        Severity.ERROR,
        "{field} „{value}”: cel mult {limit} caractere ASCII, fără „;” și „=”",
        "{field} {value!r}: at most {limit} ASCII characters, without ';' and '='",
    )
    SCAN_MISSING = (
        "scan_missing",
        Severity.ERROR,
        "dați scanarea foii de calibrare sau --print",
        "give the scan of the calibration sheet, or --print",
    )
    OVERLAY_UNAVAILABLE = (
        "overlay_unavailable",
        Severity.ERROR,
        "imaginea a ceea ce a citit cititorul nu a putut fi desenată din scanarea păstrată a "
        "foii; citirea foii rămâne cea înregistrată",
        "the overlay could not be drawn from the sheet's stored scan ({error}); the reading "
        "stands as stored",
    )
    # --- the station: refused actions ---------------------------------------------------
    NOT_FOUND = (
        "not_found",
        Severity.ERROR,
        "{what} nu există",
        "{what} does not exist",
    )
    FORBIDDEN = (
        "forbidden",
        Severity.ERROR,
        "{why}",
        "not allowed: {why}",
    )
    NOT_AUTHENTICATED = (
        "not_authenticated",
        Severity.ERROR,
        "autentificare necesară ({how})",
        "authentication required ({how})",
    )
    REQUEST_INVALID = (
        "request_invalid",
        Severity.ERROR,
        "câmpul {field} nu are o valoare validă",
        "field {field}: {problem}",
    )
    CSRF_INVALID = (
        "csrf_invalid",
        Severity.ERROR,
        "formular expirat sau fals (CSRF): reîncărcați pagina",
        "expired or forged form (CSRF): reload the page",
    )
    LOGIN_FAILED = (
        "login_failed",
        Severity.ERROR,
        "utilizator sau parolă greșită",
        "wrong user name or password",
    )
    LOGIN_THROTTLED = (
        "login_throttled",
        Severity.ERROR,
        "prea multe încercări greșite de autentificare: încercați din nou peste {seconds} s",
        "too many failed logins: try again in {seconds} s",
    )
    ROLE_INVALID = (
        "role_invalid",
        Severity.ERROR,
        "rolul „{role}” nu există ({roles})",
        "no role {role!r} ({roles})",
    )
    ROOM_REQUIRED = (
        "room_required",
        Severity.ERROR,
        "un șef de sală are exact o sală; ceilalți nu au sală",
        "a room head has exactly one room; the others have none",
    )
    PASSWORD_TOO_SHORT = (
        "password_too_short",
        Severity.ERROR,
        "parola are cel puțin {minimum} caractere",
        "the password has at least {minimum} characters",
    )
    USER_EXISTS = (
        "user_exists",
        Severity.ERROR,
        "utilizatorul {username} există deja",
        "user {username} already exists",
    )
    USER_DISABLED = (
        "user_disabled",
        Severity.ERROR,
        "contul {username} este dezactivat",
        "account {username} is disabled",
    )
    OWN_ACCOUNT = (
        "own_account",
        Severity.ERROR,
        "un administrator nu își poate schimba rolul și nu își poate dezactiva propriul cont",
        "an administrator cannot change their own role or disable their own account",
    )
    TIME_ZONE_UNKNOWN = (
        "time_zone_unknown",
        Severity.ERROR,
        "fusul orar „{zone}” nu există (de exemplu Europe/Bucharest)",
        "no time zone {zone!r} (for example Europe/Bucharest)",
    )
    WINDOWS_INVALID = (
        "windows_invalid",
        Severity.ERROR,
        "ferestre invalide: {problem}",
        "invalid windows: {problem}",
    )
    REASON_MISSING = (
        "reason_missing",
        Severity.ERROR,
        "{what} cere un motiv",
        "{what} needs a reason",
    )
    CONFIRMATION_MISSING = (
        "confirmation_missing",
        Severity.ERROR,
        "{what} trebuie confirmată: bifați caseta de confirmare",
        "{what} must be confirmed: tick the confirmation box",
    )
    PAGE_NOT_FOUND = (
        "page_not_found",
        Severity.ERROR,
        "pagina cerută nu există",
        "no such page ({status})",
    )
    INTERNAL_ERROR = (
        "internal_error",
        Severity.ERROR,
        "stația nu a putut duce la capăt cererea; încercați din nou, iar dacă se repetă, "
        "anunțați administratorul",
        "the station failed on this request: {error}",
    )
    SCHEDULE_MISSING = (
        "schedule_missing",
        Severity.ERROR,
        "momentul publicării rezultatelor nu este înregistrat: termenele nu pot fi verificate",
        "the moment the results were published is not recorded: deadlines cannot be checked",
    )
    STATION_KNOWN = (
        "station_known",
        Severity.ERROR,
        "stația {key_id} este deja cunoscută",
        "station {key_id} is already known",
    )
    BUNDLE_INVALID = (
        "bundle_invalid",
        Severity.ERROR,
        "fișierul nu este un pachet de sală ({problem})",
        "the file is not a room bundle ({problem})",
    )
    BUNDLE_SIGNATURE_INVALID = (
        "bundle_signature_invalid",
        Severity.ERROR,
        "semnătura pachetului sălii {room} nu se verifică: pachetul a fost modificat sau "
        "nu vine de la o stație cunoscută",
        "the signature of room {room}'s bundle does not verify: the bundle was altered "
        "or does not come from a known station",
    )
    BUNDLE_OTHER_EXAM = (
        "bundle_other_exam",
        Severity.ERROR,
        "pachetul este al examenului {found}, nu al examenului {expected}",
        "the bundle is of exam {found}, not of exam {expected}",
    )
    ROOM_ALREADY_IMPORTED = (
        "room_already_imported",
        Severity.ERROR,
        "sala {room} a fost deja importată (pachetul #{bundle})",
        "room {room} was already imported (bundle #{bundle})",
    )
    BUNDLE_NOT_NEWER = (
        "bundle_not_newer",
        Severity.ERROR,
        "pachetul sălii {room} exportat la {exported} nu este mai nou decât cel importat "
        "(pachetul #{bundle}, exportat la {earlier}); doar un pachet mai nou îl înlocuiește",
        "room {room}'s bundle exported at {exported} is not newer than the imported one "
        "(bundle #{bundle}, exported at {earlier}); only a newer bundle supersedes it",
    )
    BUNDLE_STALE = (
        "bundle_stale",
        Severity.ERROR,
        "pachetul importat al sălii {room} (exportat la {exported}) nu cuprinde {act}: "
        "candidatul {candidate} are {found} în pachet și {expected} după act; importați "
        "pachetul nou al sălii înainte de clasament",
        "room {room}'s imported bundle (exported at {exported}) predates {act}: candidate "
        "{candidate} has {found} in the bundle and {expected} after the act; import the "
        "room's new bundle before the ranking",
    )
    CANDIDATE_IN_TWO_ROOMS = (
        "candidate_in_two_rooms",
        Severity.ERROR,
        "candidatul {candidates} apare și în sala {room}",
        "candidate {candidates} also appears in room {room}",
    )
    KEY_NOT_FINAL = (
        "key_not_final",
        Severity.ERROR,
        "grila finală nu a fost publicată",
        "the final key has not been published",
    )
    BUNDLES_MISSING = (
        "bundles_missing",
        Severity.ERROR,
        "niciun pachet de sală importat",
        "no room bundle imported",
    )
    FILE_NAME_INVALID = (
        "file_name_invalid",
        Severity.ERROR,
        "numele de fișier „{name}” nu este permis (fără căi, fără caractere speciale)",
        "file name {name!r} is not allowed (no paths, no special characters)",
    )
    FILE_TOO_LARGE = (
        "file_too_large",
        Severity.ERROR,
        "fișierul are {size_mb:.1f} MB, peste limita de {limit_mb:g} MB",
        "the file has {size_mb:.1f} MB, over the {limit_mb:g} MB limit",
    )
    STORAGE_FULL = (
        "storage_full",
        Severity.ERROR,
        "discul stației este plin sau nu poate fi scris: nimic nu a fost salvat; eliberați "
        "spațiu și încercați din nou",
        "the station's disk is full or cannot be written ({error}): nothing was saved",
    )
    FILES_TOO_MANY = (
        "files_too_many",
        Severity.ERROR,
        "{count} fișiere într-o singură trimitere; se primesc cel mult {limit}: trimiteți-le "
        "în mai multe loturi",
        "{count} files in one request; at most {limit} are taken: send them in several batches",
    )
    REQUEST_TOO_LARGE = (
        "request_too_large",
        Severity.ERROR,
        "trimiterea are peste {limit_mb:g} MB: trimiteți fișierele în mai multe loturi",
        "the request is over {limit_mb:g} MB: send the files in several batches",
    )
    KEY_MISSING = (
        "key_missing",
        Severity.ERROR,
        "grila nu a fost încă încărcată",
        "the key has not been uploaded yet",
    )
    CLAIM_MISSING = (
        "claim_missing",
        Severity.ERROR,
        "contestația cere o susținere",
        "a contestation needs a claim",
    )
    ITEM_NOT_CONTESTED = (
        "item_not_contested",
        Severity.ERROR,
        "întrebarea {item} nu a fost contestată",
        "question {item} was not contested",
    )
    OUTCOME_INVALID = (
        "outcome_invalid",
        Severity.ERROR,
        "{what} trebuie să fie una din valorile {options}",
        "{what} must be one of {options}",
    )
    JUSTIFICATION_MISSING = (
        "justification_missing",
        Severity.ERROR,
        "decizia cere o justificare",
        "the decision needs a justification",
    )
    MEMBERS_MISSING = (
        "members_missing",
        Severity.ERROR,
        "numiți membrii comisiei prezenți",
        "name the committee members present",
    )
    KEY_SEALED = (
        "key_sealed",
        Severity.ERROR,
        "grila nu a fost deschisă: nu există scoruri de exportat",
        "the key has not been opened: there are no scores to export",
    )
    KEY_ALREADY_FINAL = (
        "key_already_final",
        Severity.ERROR,
        "grila finală a fost deja publicată; deciziile de acum ar schimba-o",
        "the final key was already published; decisions now would change it",
    )
    REPUBLICATION_DUE = (
        "republication_due",
        Severity.ERROR,
        "după publicarea grilei finale, {acts} a schimbat scoruri; publicați din nou grila "
        "finală înainte de clasament",
        "after the final key's publication, {acts} changed scores; publish the final key "
        "again before the ranking",
    )
    EXAM_LOCKED = (
        "exam_locked",
        Severity.ERROR,
        "grila finală a fost publicată la {published}: {action} nu se mai face din sală; "
        "o schimbare este de acum un act al comisiei, consemnat în proces-verbal",
        "the final key was published at {published}: {action} is no longer done in a room; "
        "a change is now a committee act, recorded in minutes",
    )
    CONTESTATION_WINDOW_OPEN = (
        "contestation_window_open",
        Severity.ERROR,
        "grila finală se publică după închiderea contestațiilor, la {end}; acum este {moment}"
        " (ora din {zone})",
        "the final key is published after contestations close at {end}; it is now {moment}"
        " ({zone} time)",
    )
    CONTESTATION_AFTER_FINAL_KEY = (
        "contestation_after_final_key",
        Severity.ERROR,
        "grila finală a fost publicată la {published}; contestațiile nu se mai primesc",
        "the final key was published at {published}; contestations are no longer accepted",
    )
    GRADE_INVALID = (
        "grade_invalid",
        Severity.ERROR,
        "nota „{grade}” nu este o notă între 1 și 10",
        "the grade '{grade}' is not a grade from 1 to 10",
    )
    RULING_MISSES_VARIANTS = (
        "ruling_misses_variants",
        Severity.ERROR,
        "decizia asupra întrebării {item} trebuie să numească poziția ei în fiecare variantă "
        "(de exemplu A5+B12); lipsesc variantele {missing}",
        "the ruling on {item} must name its position in every variant (e.g. A5+B12); "
        "variants {missing} are missing",
    )
    CANDIDATE_HAS_SHEET = (
        "candidate_has_sheet",
        Severity.ERROR,
        "candidatul {candidate} are deja foaia #{sheet}; anulați-o întâi dacă aceasta "
        "este foaia de înlocuire",
        "candidate {candidate} already has sheet #{sheet}; annul it first if this is the "
        "replacement sheet",
    )
    CANDIDATE_UNKNOWN = (
        "candidate_unknown",
        Severity.ERROR,
        "candidatul {candidate} nu este înscris",
        "candidate {candidate} is not registered",
    )
    CANDIDATE_OTHER_ROOM = (
        "candidate_other_room",
        Severity.ERROR,
        "candidatul {candidate} nu este în sala {room}",
        "candidate {candidate} is not in room {room}",
    )
    SHEET_REJECTED = (
        "sheet_rejected",
        Severity.ERROR,
        "foaia #{sheet} a fost respinsă la citire",
        "sheet #{sheet} was rejected when read",
    )
    SHEET_ANNULLED = (
        "sheet_annulled",
        Severity.ERROR,
        "foaia este anulată",
        "the sheet is annulled",
    )
    DECISION_STATE_INVALID = (
        "decision_state_invalid",
        Severity.ERROR,
        "decizia trebuie să fie una din {states}",
        "the decision must be one of {states}",
    )
    BUBBLE_NOT_UNCLEAR = (
        "bubble_not_unclear",
        Severity.ERROR,
        "bula {bubble} nu este neclară ({shown}): se decide doar o bulă neclară",
        "bubble {bubble} is not unclear ({shown}): only an unclear bubble is decided",
    )
    INK_NOT_IN_DOUBT = (
        "ink_not_in_doubt",
        Severity.ERROR,
        "foaia {sheet} nu are cerneală de altă culoare: nu este nimic de păstrat",
        "sheet {sheet} has no ink of another colour: there is nothing to keep",
    )
    ANNULMENT_REASON_MISSING = (
        "annulment_reason_missing",
        Severity.ERROR,
        "anularea cere un motiv",
        "an annulment needs a reason",
    )
    SHEET_NOT_SCANNED = (
        "sheet_not_scanned",
        Severity.ERROR,
        "candidatul {candidate} nu are nicio foaie scanată: nu există ce rescana",
        "candidate {candidate} has no scanned sheet: there is nothing to rescan",
    )
    SHEET_NOT_NAMED = (
        "sheet_not_named",
        Severity.ERROR,
        "numiți foaia sau candidatul",
        "name the sheet or the candidate",
    )
    SHEET_UNIDENTIFIED = (
        "sheet_unidentified",
        Severity.ERROR,
        "foaia #{sheet} nu are candidat",
        "sheet #{sheet} has no candidate",
    )
    RESCAN_DONE = (
        "rescan_done",
        Severity.ERROR,
        "cererea #{request} are deja o rescanare",
        "request #{request} already has a rescan",
    )
    BUBBLE_INVALID = (
        "bubble_invalid",
        Severity.ERROR,
        "bula {bubble}: {problem}",
        "bubble {bubble}: {problem}",
    )
    RESCAN_MISSING = (
        "rescan_missing",
        Severity.ERROR,
        "foaia nu a fost încă rescanată",
        "the sheet has not been rescanned yet",
    )
    RESCAN_DECIDED = (
        "rescan_decided",
        Severity.ERROR,
        "cererea #{request} a fost deja decisă",
        "request #{request} was already decided",
    )
    RESCAN_UNCLEAR = (
        "rescan_unclear",
        Severity.ERROR,
        "rescanarea lasă neclare bulele {bubbles}: corectați manual",
        "the rescan leaves bubbles {bubbles} unclear: correct by hand",
    )
    TEMPLATE_NOT_IN_PROFILE = (
        "template_not_in_profile",
        Severity.ERROR,
        "profilul {profile} nu punctează șablonul {template} ({templates})",
        "profile {profile} does not score template {template} ({templates})",
    )
    EXAM_EXISTS = (
        "exam_exists",
        Severity.ERROR,
        "examenul {exam} există deja",
        "exam {exam} already exists",
    )
    ROOM_EXISTS = (
        "room_exists",
        Severity.ERROR,
        "sala {room} există deja",
        "room {room} already exists",
    )
    ROOM_MISSING = (
        "room_missing",
        Severity.ERROR,
        "candidatul {candidate} nu are sală (coloana room)",
        "candidate {candidate} has no room (the room column)",
    )
    CANDIDATE_EXISTS = (
        "candidate_exists",
        Severity.ERROR,
        "candidatul {candidate} este deja înscris",
        "candidate {candidate} is already registered",
    )
    KEY_ALREADY_OPENED = (
        "key_already_opened",
        Severity.ERROR,
        "grila a fost deja deschisă {context}",
        "the key was already opened ({context})",
    )
    ROOM_OTHER_EXAM = (
        "room_other_exam",
        Severity.ERROR,
        "sala {room} nu este a examenului {exam}",
        "room {room} is not of exam {exam}",
    )


class _LenientFormatter(string.Formatter):
    """Fills a message; a detail missing from an old record shows as ``…``."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "…")
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        try:
            return super().format_field(value, format_spec)
        except (TypeError, ValueError):
            return str(value)


_FORMATTER = _LenientFormatter()


@dataclass(frozen=True, slots=True, init=False)
class Problem:
    """A reason given for something, with the details its messages name.

    Falsy, like the failures it stands for: a stage returns its result or a ``Problem``,
    and ``if not result`` tells them apart (one bad page never stops a batch).
    """

    code: Reason
    details: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, code: Reason, /, **details: Any) -> None:
        missing = (code.placeholders("en") | code.placeholders("ro")) - details.keys()
        if missing:
            raise ValueError(f"{code}: details {sorted(missing)} are missing")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "details", details)

    def __bool__(self) -> bool:
        return False

    @property
    def severity(self) -> Severity:
        return self.code.severity

    @property
    def message(self) -> str:
        """The English message (logs, the CLI, JSON documents)."""
        return self.code.message(self.details, "en")

    @property
    def message_ro(self) -> str:
        """The Romanian message (pages, slips, minutes)."""
        return self.code.message(self.details, "ro")

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, document: Mapping[str, Any]) -> Problem:
        """A problem stored by :meth:`as_dict` (details may lack from older records)."""
        problem = object.__new__(cls)
        object.__setattr__(problem, "code", Reason(document["code"]))
        object.__setattr__(problem, "details", dict(document.get("details") or {}))
        return problem


def page_status(problems: Iterable[Problem]) -> PageStatus:
    """A page's status from the problems found on it: the gravest severity decides."""
    severities = {problem.severity for problem in problems}
    if Severity.REJECT in severities:
        return PageStatus.REJECTED
    if Severity.REVIEW in severities:
        return PageStatus.NEEDS_REVIEW
    return PageStatus.OK


def registry() -> list[dict[str, str]]:
    """Every code with its severity and messages (``omr reasons --json``)."""
    return [
        {
            "code": str(reason),
            "severity": str(reason.severity),
            "message_ro": reason.message_ro,
            "message_en": reason.message_en,
        }
        for reason in Reason
    ]


def markdown_table() -> str:
    """The registry as the Markdown table of ``docs/reading-format.md``."""

    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["| code | severity | message (ro) | message (en) |", "|---|---|---|---|"]
    for severity in Severity:
        for reason in Reason:
            if reason.severity is severity:
                lines.append(
                    f"| `{reason}` | {severity} | {cell(reason.message_ro)} "
                    f"| {cell(reason.message_en)} |"
                )
    return "\n".join(lines) + "\n"
