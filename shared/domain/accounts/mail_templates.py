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
        "this cannot be undone.\n\nThank you for having been with us."),    "passkey_added": Text(
        "A passkey was added to your account",
        "Hi $username,\n\nA passkey named \"$name\" was added to your TopicsFlow account. You can sign in with it "
        "now.\n\nIf this was not you, sign in, remove it from your passkeys and end your other sessions."),
    "passkey_removed": Text(
        "A passkey was removed from your account",
        "Hi $username,\n\nThe passkey named \"$name\" was removed from your TopicsFlow account.\n\n"
        "If this was not you, sign in and check your passkeys and sessions."),
    "passkey_clone_suspected": Text(
        "One of your passkeys may have been copied",
        "Hi $username,\n\nSomeone signed in with your passkey \"$name\", but its counter went backwards, which "
        "happens when a passkey has been copied to another device. We refused that sign-in and suspended the "
        "passkey.\n\nSign in another way, remove it, and add a new one. If you did not copy it, end your other "
        "sessions too."),
    "passwordless_welcome": Text(
        "Your account is ready",
        "Hi $username,\n\nYour TopicsFlow account is ready, with no password to remember. Keep your backup codes "
        "somewhere safe: with this mailbox, they are how you get back in if you lose your passkey or phone."),
    "passwordless_recovery_code": Text(
        "Recover your account",
        "Hi $username,\n\nSomeone (hopefully you) asked to recover your TopicsFlow account. Enter this code "
        "together with one of your backup codes:\n\nYour code: $code\n\nIt expires in $minutes minutes. If you "
        "did not ask, ignore this mail: the code alone does not open your account."),
    "passwordless_recovery_unknown": Text(
        "Account recovery requested",
        "Hi,\n\nSomeone asked to recover a TopicsFlow account with this email address, but no account without a "
        "password uses it. If it was you, you may have signed up with another address. Otherwise ignore this mail."),
    "passwordless_recovery_has_password": Text(
        "Account recovery requested",
        "Hi $username,\n\nSomeone asked to recover your TopicsFlow account as one without a password, but yours "
        "has a password. If it was you, use \"Forgot password\" instead. Otherwise ignore this mail."),
    "passwordless_recovered": Text(
        "Your account was recovered",
        "Hi $username,\n\nYour TopicsFlow account was just recovered with a backup code and your other sessions "
        "were signed out. Add a new passkey or authenticator app now.\n\nIf this was not you, contact support "
        "at once."),
    "password_added": Text(
        "Your account has a password now",
        "Hi $username,\n\nA password was added to your TopicsFlow account. You can log in with it (and your "
        "authenticator app, if you use one).\n\nIf this was not you, contact support at once."),
    "password_reset_passwordless": Text(
        "Password reset requested",
        "Hi $username,\n\nSomeone asked to reset the password of your TopicsFlow account, but it has no password: "
        "you sign in with a passkey or an authenticator app. If you lost them, recover the account with a backup "
        "code. Otherwise ignore this mail."),
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
        "agora; isto não pode ser desfeito.\n\nObrigado por ter estado connosco."),    "passkey_added": Text(
        "Foi adicionada uma chave de acesso à sua conta",
        "Olá $username,\n\nFoi adicionada a chave de acesso \"$name\" à sua conta TopicsFlow. Já pode iniciar "
        "sessão com ela.\n\nSe não foi você, inicie sessão, remova-a e termine as outras sessões."),
    "passkey_removed": Text(
        "Foi removida uma chave de acesso da sua conta",
        "Olá $username,\n\nA chave de acesso \"$name\" foi removida da sua conta TopicsFlow.\n\n"
        "Se não foi você, inicie sessão e verifique as suas chaves de acesso e sessões."),
    "passkey_clone_suspected": Text(
        "Uma das suas chaves de acesso pode ter sido copiada",
        "Olá $username,\n\nAlguém iniciou sessão com a sua chave de acesso \"$name\", mas o contador dela andou "
        "para trás, o que acontece quando uma chave é copiada para outro dispositivo. Recusámos esse início de "
        "sessão e suspendemos a chave.\n\nInicie sessão de outra forma, remova-a e adicione uma nova. Se não a "
        "copiou, termine também as outras sessões."),
    "passwordless_welcome": Text(
        "A sua conta está pronta",
        "Olá $username,\n\nA sua conta TopicsFlow está pronta, sem palavra-passe para lembrar. Guarde os códigos "
        "de recuperação num local seguro: com este email, são a forma de voltar a entrar se perder a chave de "
        "acesso ou o telemóvel."),
    "passwordless_recovery_code": Text(
        "Recupere a sua conta",
        "Olá $username,\n\nAlguém (esperamos que você) pediu para recuperar a sua conta TopicsFlow. Introduza "
        "este código com um dos seus códigos de recuperação:\n\nO seu código: $code\n\nExpira em $minutes "
        "minutos. Se não pediu, ignore este email: o código sozinho não abre a sua conta."),
    "passwordless_recovery_unknown": Text(
        "Pedido de recuperação de conta",
        "Olá,\n\nAlguém pediu para recuperar uma conta TopicsFlow com este endereço de email, mas nenhuma conta "
        "sem palavra-passe o usa. Se foi você, talvez se tenha registado com outro endereço. Caso contrário, "
        "ignore este email."),
    "passwordless_recovery_has_password": Text(
        "Pedido de recuperação de conta",
        "Olá $username,\n\nAlguém pediu para recuperar a sua conta TopicsFlow como uma conta sem palavra-passe, "
        "mas a sua tem palavra-passe. Se foi você, use \"Esqueci-me da palavra-passe\". Caso contrário, ignore "
        "este email."),
    "passwordless_recovered": Text(
        "A sua conta foi recuperada",
        "Olá $username,\n\nA sua conta TopicsFlow foi recuperada com um código de recuperação e as outras "
        "sessões foram terminadas. Adicione agora uma nova chave de acesso ou aplicação de autenticação.\n\n"
        "Se não foi você, contacte o suporte imediatamente."),
    "password_added": Text(
        "A sua conta tem agora palavra-passe",
        "Olá $username,\n\nFoi adicionada uma palavra-passe à sua conta TopicsFlow. Pode iniciar sessão com ela "
        "(e com a aplicação de autenticação, se a usar).\n\nSe não foi você, contacte o suporte imediatamente."),
    "password_reset_passwordless": Text(
        "Pedido de reposição de palavra-passe",
        "Olá $username,\n\nAlguém pediu para repor a palavra-passe da sua conta TopicsFlow, mas ela não tem "
        "palavra-passe: inicia sessão com uma chave de acesso ou uma aplicação de autenticação. Se as perdeu, "
        "recupere a conta com um código de recuperação. Caso contrário, ignore este email."),
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
