"""Account mail, in English and Portuguese: a subject, a plain-text body and an HTML body per template.

Bodies are string.Template texts; values are HTML-escaped for the HTML body. The verification mail's text
carries the line `Your code: <code>` (English) that scripts and tests look for.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from string import Template

from shared.ports import Mail


@dataclass(frozen=True)
class Text:
    subject: str
    body: str  # paragraphs separated by blank lines; the HTML body is built from the same text


_EN: dict[str, Text] = {
    "verify_email": Text(
        "Confirm your email address",
        "Hi $username,\n\nWelcome to TopicsFlow. Confirm your email address with this code:\n\n"
        "Your code: $code\n\nIt expires in $minutes minutes. If you did not sign up, you can ignore this mail."),
    "register_existing": Text(
        "Someone tried to sign up with your address",
        "Hi,\n\nSomeone tried to create a TopicsFlow account with this email address, but it already has one.\n\n"
        "If it was you, log in, or reset your password if you forgot it. If not, you can ignore this mail: "
        "nothing changed."),
    "register_pending": Text(
        "Your sign-up is waiting for confirmation",
        "Hi,\n\nA TopicsFlow sign-up with this email address is waiting for its confirmation code. "
        "Use the code from the earlier mail or ask for a new one.\n\n"
        "If you did not sign up, ignore this mail: unconfirmed sign-ups are removed after $hours hours."),
    "password_reset": Text(
        "Reset your password",
        "Hi $username,\n\nSomeone (hopefully you) asked to reset your TopicsFlow password. Open this link:\n\n"
        "$link\n\nor paste this token into the app:\n\nYour reset token: $token\n\n"
        "It works once and expires in $minutes minutes. If you did not ask, ignore this mail."),
    "password_reset_unknown": Text(
        "Password reset requested",
        "Hi,\n\nSomeone asked to reset the TopicsFlow password for this email address, but no account uses it. "
        "If it was you, you may have signed up with another address. Otherwise you can ignore this mail."),
    "password_changed": Text(
        "Your password was changed",
        "Hi $username,\n\nThe password of your TopicsFlow account was just changed and your other sessions "
        "were signed out.\n\nIf this was not you, reset your password now and contact support."),
    "email_change_code": Text(
        "Confirm your new email address",
        "Hi $username,\n\nConfirm this address for your TopicsFlow account with this code:\n\n"
        "Your code: $code\n\nIt expires in $minutes minutes. If you did not ask for this, ignore this mail."),
    "email_change_taken": Text(
        "Someone tried to use your address",
        "Hi,\n\nSomeone tried to move another TopicsFlow account to this email address. It already belongs to "
        "an account, so nothing changed. You can ignore this mail."),
    "email_changed": Text(
        "Your email address was changed",
        "Hi $username,\n\nThe email address of your TopicsFlow account was changed to $new_email.\n\n"
        "If this was not you, contact support at once."),
    "two_factor_enabled": Text(
        "Two-factor authentication is on",
        "Hi $username,\n\nTwo-factor authentication was turned on for your TopicsFlow account. Keep your backup "
        "codes somewhere safe.\n\nIf this was not you, reset your password now."),
    "two_factor_disabled": Text(
        "Two-factor authentication is off",
        "Hi $username,\n\nTwo-factor authentication was turned off for your TopicsFlow account.\n\n"
        "If this was not you, reset your password now and turn it back on."),
    "account_deleted": Text(
        "Your account is being deleted",
        "Hi $username,\n\nYour TopicsFlow account was deleted at your request. Its content is being removed now; "
        "this cannot be undone.\n\nThank you for having been with us."),
}

_PT: dict[str, Text] = {
    "verify_email": Text(
        "Confirme o seu endereço de email",
        "Olá $username,\n\nBem-vindo ao TopicsFlow. Confirme o seu endereço de email com este código:\n\n"
        "O seu código: $code\n\nExpira em $minutes minutos. Se não se registou, ignore este email."),
    "register_existing": Text(
        "Alguém tentou registar-se com o seu endereço",
        "Olá,\n\nAlguém tentou criar uma conta TopicsFlow com este endereço de email, mas já existe uma.\n\n"
        "Se foi você, inicie sessão ou reponha a palavra-passe. Caso contrário, ignore este email: nada mudou."),
    "register_pending": Text(
        "O seu registo aguarda confirmação",
        "Olá,\n\nUm registo TopicsFlow com este endereço de email aguarda o código de confirmação. "
        "Use o código do email anterior ou peça um novo.\n\n"
        "Se não se registou, ignore este email: registos não confirmados são removidos após $hours horas."),
    "password_reset": Text(
        "Reponha a sua palavra-passe",
        "Olá $username,\n\nAlguém (esperamos que você) pediu para repor a sua palavra-passe TopicsFlow. "
        "Abra esta ligação:\n\n$link\n\nou cole este token na aplicação:\n\nO seu token: $token\n\n"
        "Funciona uma vez e expira em $minutes minutos. Se não pediu, ignore este email."),
    "password_reset_unknown": Text(
        "Pedido de reposição de palavra-passe",
        "Olá,\n\nAlguém pediu para repor a palavra-passe TopicsFlow deste endereço de email, mas nenhuma conta "
        "o usa. Se foi você, talvez se tenha registado com outro endereço. Caso contrário, ignore este email."),
    "password_changed": Text(
        "A sua palavra-passe foi alterada",
        "Olá $username,\n\nA palavra-passe da sua conta TopicsFlow foi alterada e as suas outras sessões "
        "foram terminadas.\n\nSe não foi você, reponha a palavra-passe agora e contacte o suporte."),
    "email_change_code": Text(
        "Confirme o seu novo endereço de email",
        "Olá $username,\n\nConfirme este endereço para a sua conta TopicsFlow com este código:\n\n"
        "O seu código: $code\n\nExpira em $minutes minutos. Se não pediu isto, ignore este email."),
    "email_change_taken": Text(
        "Alguém tentou usar o seu endereço",
        "Olá,\n\nAlguém tentou mudar outra conta TopicsFlow para este endereço de email. Ele já pertence a uma "
        "conta, por isso nada mudou. Pode ignorar este email."),
    "email_changed": Text(
        "O seu endereço de email foi alterado",
        "Olá $username,\n\nO endereço de email da sua conta TopicsFlow foi alterado para $new_email.\n\n"
        "Se não foi você, contacte o suporte imediatamente."),
    "two_factor_enabled": Text(
        "A autenticação de dois fatores está ativa",
        "Olá $username,\n\nA autenticação de dois fatores foi ativada na sua conta TopicsFlow. Guarde os seus "
        "códigos de recuperação num local seguro.\n\nSe não foi você, reponha a palavra-passe agora."),
    "two_factor_disabled": Text(
        "A autenticação de dois fatores está desativada",
        "Olá $username,\n\nA autenticação de dois fatores foi desativada na sua conta TopicsFlow.\n\n"
        "Se não foi você, reponha a palavra-passe agora e volte a ativá-la."),
    "account_deleted": Text(
        "A sua conta está a ser eliminada",
        "Olá $username,\n\nA sua conta TopicsFlow foi eliminada a seu pedido. O conteúdo está a ser removido "
        "agora; isto não pode ser desfeito.\n\nObrigado por ter estado connosco."),
}

TEMPLATES: dict[str, dict[str, Text]] = {"en": _EN, "pt": _PT}
LANGUAGES = tuple(TEMPLATES)

_HTML_LAYOUT = Template(
    "<!doctype html><html lang=\"$lang\"><head><meta charset=\"utf-8\"><title>$subject</title></head>"
    "<body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2328;max-width:560px;margin:auto\">"
    "$paragraphs<p style=\"color:#6e7781;font-size:12px\">TopicsFlow</p></body></html>")


def render(template: str, lang: str, params: dict[str, str], *, to: str) -> Mail:
    texts = TEMPLATES.get(lang) or TEMPLATES["en"]
    text = texts[template]
    values = {k: str(v) for k, v in params.items()}
    body = Template(text.body).safe_substitute(values)
    escaped = {k: html.escape(v) for k, v in values.items()}
    paragraphs = "".join(
        f"<p>{Template(html.escape(chunk, quote=False).replace(chr(10), '<br>')).safe_substitute(escaped)}</p>"
        for chunk in text.body.split("\n\n"))
    page = _HTML_LAYOUT.substitute(lang=html.escape(lang), subject=html.escape(text.subject),
                                   paragraphs=paragraphs)
    return Mail(to=to, subject=text.subject, text=body, html=page, tags=(template,))
