// A TypeDoc plugin for the structs a platform may lack (tcp_info, sockaddr_ll, epoll_event, ...). The
// package exports each as a constant that holds its class where the platform has the struct and
// `undefined` elsewhere (lib/structs.ts, platformStruct), and TypeDoc documents that constant as the
// class (its `@class` tag). Types elsewhere (epoll_event's `data`, sock_fprog's `filter`, SockaddrLike)
// name the class itself, a symbol TypeDoc does not know is the one documented: this plugin tells it,
// so that those references link to the struct's page instead of being reported as not exported.
import ts from 'typescript';
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Class)) return;
    const symbol = context.getSymbolFromReflection(reflection);
    if (symbol === undefined || (symbol.flags & ts.SymbolFlags.Variable) === 0) return;
    const constructs = context.checker.getTypeOfSymbol(symbol).getConstructSignatures();
    const classSymbol = constructs[0]?.getReturnType().getSymbol();
    if (classSymbol === undefined || (classSymbol.flags & ts.SymbolFlags.Class) === 0) return;
    context.project.registerSymbolId(reflection, context.createSymbolId(classSymbol));
  });
}
