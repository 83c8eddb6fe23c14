// The addon's composition: one Init function per concern, each in its own
// file, wired together in addon.cc.
#pragma once

#include <napi.h>

#include <string>

namespace bsdsock {

void InitConstants(Napi::Env env, Napi::Object exports);
void InitAddresses(Napi::Env env, Napi::Object exports);
void InitSockets(Napi::Env env, Napi::Object exports);
void InitIo(Napi::Env env, Napi::Object exports);
void InitSlots(Napi::Env env, Napi::Object exports);
void InitOptions(Napi::Env env, Napi::Object exports);
void InitPoll(Napi::Env env, Napi::Object exports);
void InitResolver(Napi::Env env, Napi::Object exports);
void InitNetdb(Napi::Env env, Napi::Object exports);
void InitAsync(Napi::Env env, Napi::Object exports);

// The errno name the constants table gives e (nullptr if none) and the C
// library's message for it.
const char* ErrnoName(int e);
std::string ErrnoMessage(int e);

}  // namespace bsdsock
