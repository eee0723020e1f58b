# The tutorial's TapaMessages module (steps 3-7, ../../shared/seed/README.md),
# loaded into a real iex by tests/iex/run.sh so that the same session can be
# typed into iex and into tapa-iex and the two transcripts compared.
# TAPA_FAST=1 makes the sleeps 20 times shorter, as in tapa-iex and the course.
defmodule TapaMessages do
  defp ms(t), do: if(System.get_env("TAPA_FAST") == "1", do: div(t, 20), else: t)

  def start_message_receiver do
    spawn(fn ->
      IO.inspect(self(), label: "receiver_pid")

      receive do
        msg -> IO.puts("Received: #{inspect(msg)}")
      end
    end)
  end

  def start_message_receiver_2 do
    spawn(fn ->
      receive do
        {:ping, from} -> send(from, :pong)
        :show_pid -> IO.inspect(self(), label: "pid")
      end
    end)
  end

  def start_two_children, do: spawn(fn -> child1(false) end)
  def start_two_children_trap_exit, do: spawn(fn -> child1(true) end)

  defp child1(trap) do
    IO.puts("Starting child1")
    spawn_link(fn -> child2(trap) end)
    Process.sleep(ms(2000))
    IO.puts("Exiting in child1")
    exit(:some_error)
  end

  defp child2(trap) do
    if trap, do: Process.flag(:trap_exit, true)
    IO.inspect(self(), label: "child2")

    receive do
      msg -> IO.inspect(msg, label: "Received")
    end

    IO.puts("Type: Process.alive?(:erlang.list_to_pid('#{:erlang.pid_to_list(self())}'))")
    Process.sleep(ms(60000))
  end
end
