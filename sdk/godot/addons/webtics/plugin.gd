@tool
extends EditorPlugin
## Registers the WebTics autoload when the addon is enabled and removes it
## when the addon is disabled, so a game reaches the SDK as `WebTics`.

const AUTOLOAD_NAME := "WebTics"
const AUTOLOAD_PATH := "res://addons/webtics/webtics.gd"


func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD_NAME, AUTOLOAD_PATH)


func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD_NAME)
