from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_layout.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_shop = resolve('shop')
    pass
    yield from context.blocks['heading'][0](context)
    yield '\n\n'
    yield from context.blocks['content'][0](context)
    yield '\n--\n'
    yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'name'))
    if environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'email'):
        pass
        yield ' <'
        yield str(environment.getattr((undefined(name='shop') if l_0_shop is missing else l_0_shop), 'email'))
        yield '>'
    yield '\n'

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
debug_info = '2=12&5=14&8=16&2=24&5=33'