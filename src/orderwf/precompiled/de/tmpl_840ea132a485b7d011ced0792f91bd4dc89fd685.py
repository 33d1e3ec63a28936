from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_layout.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_shop = resolve('shop')
    pass
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'lang'))
    yield '">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<meta name="x-apple-disable-message-reformatting">\n<title>'
    yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield '</title>\n</head>\n<body style="margin:0; padding:0; background-color:#f7f7f7;">\n<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f7f7f7;">\n  <tr>\n    <td align="center" style="padding:32px 12px;">\n      <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%; max-width:600px; background-color:#ffffff; border:1px solid #dedede; border-radius:3px;">\n        <tr>\n          <td style="background-color:#7f54b3; padding:28px 48px; font-family:Helvetica,Arial,sans-serif; color:#ffffff;">\n            <p style="margin:0 0 6px; font-size:13px; letter-spacing:1px; text-transform:uppercase; color:#e5dcf0;">'
    yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    yield '</p>\n            <h1 style="margin:0; font-size:26px; font-weight:300; line-height:1.3; color:#ffffff;">'
    yield from context.blocks['heading'][0](context)
    yield '</h1>\n          </td>\n        </tr>\n        <tr>\n          <td style="padding:36px 48px; font-family:Helvetica,Arial,sans-serif; font-size:14px; line-height:1.5; color:#3c3c3c;">\n'
    yield from context.blocks['content'][0](context)
    yield '          </td>\n        </tr>\n      </table>\n      <table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%; max-width:600px;">\n        <tr>\n          <td align="center" style="padding:24px 12px; font-family:Helvetica,Arial,sans-serif; font-size:12px; line-height:1.5; color:#8a8a8a;">\n            '
    yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    if environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'email'):
        pass
        yield ' &middot; <a href="mailto:'
        yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'email'))
        yield '" style="color:#8a8a8a;">'
        yield escape(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'email'))
        yield '</a>'
    yield '\n          </td>\n        </tr>\n      </table>\n    </td>\n  </tr>\n</table>\n</body>\n</html>\n'

def block_heading(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

blocks = {'heading': block_heading, 'content': block_content}
debug_info = '4=13&9=15&18=17&19=19&24=21&31=23&19=33&24=42'