#include "compiler/passes/platform_config.h"

namespace kfpc::passes {

ir::Value::Struct& ExecutorConfig(ir::Document& document, const std::string& executor) {
  ir::Value& config = document.platform.executors[executor];
  if (!std::holds_alternative<ir::Value::Struct>(config.kind)) config.kind = ir::Value::Struct{};
  return std::get<ir::Value::Struct>(config.kind);
}

ir::Value::Struct& ChildStruct(ir::Value::Struct& parent, const std::string& key) {
  ir::Value& child = parent[key];
  if (!std::holds_alternative<ir::Value::Struct>(child.kind)) child.kind = ir::Value::Struct{};
  return std::get<ir::Value::Struct>(child.kind);
}

ir::Value::List& ChildList(ir::Value::Struct& parent, const std::string& key) {
  ir::Value& child = parent[key];
  if (!std::holds_alternative<ir::Value::List>(child.kind)) child.kind = ir::Value::List{};
  return std::get<ir::Value::List>(child.kind);
}

const std::string* StringField(const ir::Value::Struct& parent, const std::string& key) {
  auto it = parent.find(key);
  if (it == parent.end()) return nullptr;
  return std::get_if<std::string>(&it->second.kind);
}

}  // namespace kfpc::passes
