from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = '_addresses.txt.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_order = resolve('order')
    try:
        t_1 = environment.filters['address_lines']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'address_lines' found.")
    pass
    yield '\nAdresse de facturation\n'
    for l_1_line in t_1(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'billing'), email=True):
        _loop_vars = {}
        pass
        yield str(l_1_line)
        yield '\n'
    l_1_line = missing
    if environment.getattr(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), 'address_1'):
        pass
        yield '\nAdresse de livraison\n'
        for l_1_line in t_1(environment.getattr((undefined(name='order') if l_0_order is missing else l_0_order), 'shipping'), email=True):
            _loop_vars = {}
            pass
            yield str(l_1_line)
            yield '\n'
        l_1_line = missing

blocks = {}
debug_info = '5=19&6=22&8=25&11=28&12=31'