from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_tracking.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_order = resolve('order')
    try:
        t_1 = environment.filters['date']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'date' found.")
    try:
        t_2 = environment.filters['title']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'title' found.")
    pass
    if environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'tracking'):
        pass
        yield '\nSuivi de votre colis\n'
        for l_1_t in environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'tracking'):
            _loop_vars = {}
            pass
            yield '- '
            yield str(t_2(environment.getattr(l_1_t, 'carrier')))
            yield ' '
            yield str(environment.getattr(l_1_t, 'number'))
            if environment.getattr(l_1_t, 'shipped_on'):
                pass
                yield ', expédié le '
                yield str(t_1(context, environment.getattr(l_1_t, 'shipped_on')))
            yield '\n'
            if environment.getattr(l_1_t, 'url'):
                pass
                yield '  Suivre : '
                yield str(environment.getattr(l_1_t, 'url'))
                yield '\n'
        l_1_t = missing

blocks = {}
debug_info = '1=24&4=27&5=31&7=39&8=42'